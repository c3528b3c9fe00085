package dev.hitcounter.owner;

import java.io.IOException;
import java.util.List;

import dev.hitcounter.counter.PendingView;
import dev.hitcounter.system.JsonAnswer;
import jakarta.servlet.http.HttpServletResponse;

/** The JSON answers of the owner's endpoints, written by Jackson's generator and never cached. */
final class OwnerJson {

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
        JsonAnswer.error(response, status, message);
    }

    private static void send(HttpServletResponse response, int status, String body) throws IOException {
        JsonAnswer.send(response, status, body);
    }

    private static String write(JsonAnswer.Writing writing) {
        return JsonAnswer.write(writing);
    }

    private OwnerJson() {
    }
}
