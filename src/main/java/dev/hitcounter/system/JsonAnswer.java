package dev.hitcounter.system;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import jakarta.servlet.http.HttpServletResponse;

/** A JSON answer of the APIs, written by Jackson's generator, one line, never cached. */
public final class JsonAnswer {

    private static final JsonFactory JSON = new JsonFactory();

    /** What writes one JSON document. */
    public interface Writing {
        void to(JsonGenerator json) throws IOException;
    }

    /** The document {@code writing} writes, with a line end. */
    public static String write(Writing writing) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            writing.to(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string", e);
        }
        return text.append('\n').toString();
    }

    public static void send(HttpServletResponse response, int status, String body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(body);
    }

    /** {@code {"status":…,"error":…}} with that status. */
    public static void error(HttpServletResponse response, int status, String message) throws IOException {
        send(response, status, write(json -> {
            json.writeStartObject();
            json.writeNumberField("status", status);
            json.writeStringField("error", message);
            json.writeEndObject();
        }));
    }

    private JsonAnswer() {
    }
}
