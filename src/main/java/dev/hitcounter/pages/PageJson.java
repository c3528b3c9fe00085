package dev.hitcounter.pages;

import java.io.IOException;
import java.util.Optional;

import dev.hitcounter.counter.PendingView;
import dev.hitcounter.system.JsonAnswer;
import jakarta.servlet.http.HttpServletResponse;

/** The JSON answers of the page API, written by Jackson's generator and never cached. */
final class PageJson {

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
        JsonAnswer.error(response, status, message);
    }

    static void send(HttpServletResponse response, int status, String body) throws IOException {
        JsonAnswer.send(response, status, body);
    }

    private static String write(JsonAnswer.Writing writing) {
        return JsonAnswer.write(writing);
    }

    private PageJson() {
    }
}
