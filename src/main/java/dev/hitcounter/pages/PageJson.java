package dev.hitcounter.pages;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.hitcounter.counter.PendingView;
import jakarta.servlet.http.HttpServletResponse;

/** The JSON answers of the page API, written by Jackson's generator and never cached. */
final class PageJson {

    private static final JsonFactory JSON = new JsonFactory();

    /** The answers about one page: of {@code POST /api/pages/{page}/views}, and the failures of its reads. */
    static PendingView.Answers answers(String page) {
        return new PendingView.Answers() {
            @Override
            public void counted(HttpServletResponse response, long views) throws IOException {
                send(response, HttpServletResponse.SC_OK, counts(page, views, Optional.empty()));
            }

            @Override
            public void rejected(HttpServletResponse response) throws IOException {
                sendError(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR,
                        "the stored count of this page is not a number; the operator has to fix it");
            }

            @Override
            public void unavailable(HttpServletResponse response) throws IOException {
                sendUnavailable(response);
            }
        };
    }

    static String counts(String page, long views, Optional<UniqueVisits.Counts> uniques) {
        return write(json -> {
            json.writeStartObject();
            json.writeStringField("page", page);
            json.writeNumberField("views", views);
            if (uniques.isPresent()) {
                json.writeObjectFieldStart("uniqueVisitors");
                json.writeNumberField("today", uniques.get().today());
                json.writeNumberField("last7Days", uniques.get().lastSevenDays());
                json.writeEndObject();
            }
            json.writeEndObject();
        });
    }

    static void sendUnavailable(HttpServletResponse response) throws IOException {
        response.setHeader("Retry-After", "1");
        sendError(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                "the counter's store is not answering; try again in a second");
    }

    static void sendError(HttpServletResponse response, int status, String message) throws IOException {
        send(response, status, write(json -> {
            json.writeStartObject();
            json.writeNumberField("status", status);
            json.writeStringField("error", message);
            json.writeEndObject();
        }));
    }

    static void send(HttpServletResponse response, int status, String body) throws IOException {
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

    private PageJson() {
    }
}
