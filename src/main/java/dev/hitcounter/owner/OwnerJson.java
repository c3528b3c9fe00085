package dev.hitcounter.owner;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.hitcounter.counter.PendingView;
import jakarta.servlet.http.HttpServletResponse;

/** The JSON answers of the owner's endpoints, written by Jackson's generator and never cached. */
final class OwnerJson {

    private static final JsonFactory JSON = new JsonFactory();

    /** The failures of a read or write: 503 with {@code Retry-After} while trying again may help, else 500. */
    static final PendingView.Answers FAILURES = new PendingView.Answers() {
        @Override
        public void counted(HttpServletResponse response, long views) throws IOException {
            throw new IllegalStateException("the owner's endpoints count nothing");
        }

        @Override
        public void rejected(HttpServletResponse response) throws IOException {
            error(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR,
                    "a stored value of this page is not what it should be; the operator has to fix it");
        }

        @Override
        public void unavailable(HttpServletResponse response) throws IOException {
            response.setHeader("Retry-After", "1");
            error(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "the counter's store is not answering; try again in a second");
        }
    };

    static void history(HttpServletResponse response, String page, List<OwnerStore.Day> days) throws IOException {
        send(response, HttpServletResponse.SC_OK, write(json -> {
            json.writeStartObject();
            json.writeStringField("page", page);
            json.writeArrayFieldStart("days");
            for (OwnerStore.Day day : days) {
                json.writeStartObject();
                json.writeStringField("date", day.date().toString());
                json.writeNumberField("views", day.views());
                json.writeNumberField("uniqueVisitors", day.uniqueVisitors());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    static void views(HttpServletResponse response, int status, String page, long views) throws IOException {
        send(response, status, write(json -> {
            json.writeStartObject();
            json.writeStringField("page", page);
            json.writeNumberField("views", views);
            json.writeEndObject();
        }));
    }

    static void error(HttpServletResponse response, int status, String message) throws IOException {
        send(response, status, write(json -> {
            json.writeStartObject();
            json.writeNumberField("status", status);
            json.writeStringField("error", message);
            json.writeEndObject();
        }));
    }

    private static void send(HttpServletResponse response, int status, String body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(body);
    }

    private interface Writing {
        void to(JsonGenerator json) throws IOException;
    }

    private static String write(Writing writing) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            writing.to(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string", e);
        }
        return text.append('\n').toString();
    }

    private OwnerJson() {
    }
}
