package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * Every answer of the page API carries {@code Vary: Origin} while {@code CORS_ORIGINS} lists origins, whatever the
 * request's Origin, even none, and whatever the answer, errors and outages too: a shared cache must not hand the
 * answer kept for one origin, or for none, to another (issue 27 item 2).
 */
class PageCorsIT {

    private static final String ALLOWED = "https://blog.example.com";

    /** No Origin, the allowed one, another one. */
    private static final List<String> ORIGINS = Arrays.asList(null, ALLOWED, "https://evil.example.com");

    @Test
    void everyPageApiAnswerVariesByOrigin() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "CORS_ORIGINS", ALLOWED))) {
            Map<String, Integer> answers = new LinkedHashMap<>();
            answers.put("GET /api/pages/home", 200);
            answers.put("HEAD /api/pages/home", 200);
            answers.put("POST /api/pages/home/views", 200);
            answers.put("OPTIONS /api/pages/home/views", 204);
            answers.put("OPTIONS /api/pages/home", 204);
            answers.put("GET /api/pages/not%20a%20page", 400);
            answers.put("POST /api/pages/not%20a%20page/views", 400);
            answers.put("GET /api/pages/home/views", 405);
            // The admin endpoints (issue 24), absent without ADMIN_TOKEN_FILE, and a page's history.
            answers.put("DELETE /api/pages/home", 404);
            answers.put("GET /api/pages/home/history", 200);
            answers.put("PUT /api/pages/home/views", 405);
            answers.put("GET /api/pages/home/views/more", 404);
            answers.put("POST /api/pages/a/b/views", 404);
            assertEveryAnswerVaries(app, answers);

            redis.stop();
            Map<String, Integer> outage = new LinkedHashMap<>();
            outage.put("POST /api/pages/home/views", 503);
            outage.put("GET /api/pages/home", 503);
            outage.put("GET /api/pages/home/history", 503);
            assertEveryAnswerVaries(app, outage);
        }
    }

    /** Sends each request ("METHOD /path") from each origin and checks its status and {@code Vary: Origin}. */
    private static void assertEveryAnswerVaries(RunningApp app, Map<String, Integer> answers) {
        for (Map.Entry<String, Integer> answer : answers.entrySet()) {
            String[] request = answer.getKey().split(" ");
            for (String origin : ORIGINS) {
                HttpRequest.Builder builder = HttpRequest.newBuilder(app.uri(request[1]))
                        .method(request[0], HttpRequest.BodyPublishers.noBody());
                if (origin != null) {
                    builder.header("Origin", origin);
                }
                HttpResponse<String> response = app.send(builder);
                String what = answer.getKey() + " from " + (origin == null ? "no Origin" : origin);
                assertEquals(answer.getValue(), response.statusCode(), what + ": " + response.body());
                List<String> vary = response.headers().allValues("Vary");
                assertTrue(vary.stream().anyMatch(value -> value.contains("Origin")), what + ": Vary " + vary);
                assertEquals(ALLOWED.equals(origin),
                        response.headers().firstValue("Access-Control-Allow-Origin").isPresent(),
                        what + ": only the allowed origin may read the answer");
            }
        }
    }
}
