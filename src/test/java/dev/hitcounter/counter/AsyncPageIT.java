package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.hitcounter.testing.MetricsScrape;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/** The asynchronous page on real Tomcat and Redis: what only the container can show. */
class AsyncPageIT {

    @Test
    void asyncAnswersCarryTheSecurityHeadersAndAreCountedOnceByTheirFinalStatus() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> page = app.get("/");
                assertEquals(200, page.statusCode());
                assertEquals("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                        page.headers().firstValue("Content-Security-Policy").orElse(""));
                assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
            }
            assertEquals(200, app.get("/readyz").statusCode());
            assertEquals(404, app.get("/x").statusCode());
            awaitResponses(app, "200", 21);
            awaitResponses(app, "404", 1);

            redis.stop();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> unavailable = app.get("/");
                assertEquals(503, unavailable.statusCode());
                assertEquals("1", unavailable.headers().firstValue("Retry-After").orElse(""));
                assertEquals("nosniff", unavailable.headers().firstValue("X-Content-Type-Options").orElse(""));
            }
            awaitResponses(app, "503", 5);
            awaitResponses(app, "200", 21);
        }
    }

    @Test
    void viewsStillWaitingForRedisWhenTheAppStopsAre503() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            // A read timeout longer than Tomcat's 10 s wait for requests in flight.
            RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "REDIS_READ_TIMEOUT_MS", "30000"));
            Thread stopping = new Thread(app::close);
            try {
                assertEquals(1, app.view());
                redis.pause();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    waiting.add(http.sendAsync(HttpRequest.newBuilder(app.uri("/")).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                Thread.sleep(500);
                long stopAt = System.nanoTime();
                stopping.start();

                for (CompletableFuture<HttpResponse<String>> request : waiting) {
                    HttpResponse<String> response = request.get();
                    assertEquals(503, response.statusCode(), response.body());
                    assertEquals("1", response.headers().firstValue("Retry-After").orElse(""));
                }
                long tookMillis = (System.nanoTime() - stopAt) / 1_000_000;
                assertTrue(tookMillis >= 9_000 && tookMillis < 15_000,
                        "answered after Tomcat's 10 s wait for requests in flight, took " + tookMillis + " ms");
                redis.resume();
                stopping.join(30_000);
                assertTrue(!stopping.isAlive(), "the app stopped");
            } finally {
                redis.resume();
                if (stopping.getState() == Thread.State.NEW) {
                    app.close();
                }
            }
            long counted = redis.valueOf("views");
            assertTrue(counted >= 2 && counted <= 9,
                    "only the batch that was in flight counted, after its 503s: " + counted);
        }
    }

    /** Every scrape is a 200 of its own, counted once it has been answered. */
    private int scrapes;

    private void awaitResponses(RunningApp app, String status, long expected) throws InterruptedException {
        String series = "hitcounter_http_responses_total{status=\"" + status + "\"}";
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        // The response reaches the client a moment before Tomcat fires onComplete.
        while (scrape(app, series, status) < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(100);
        assertEquals(expected, scrape(app, series, status), series);
    }

    private long scrape(RunningApp app, String series, String status) {
        long value = (long) MetricsScrape.value(app, series) - (status.equals("200") ? scrapes : 0);
        scrapes++;
        return value;
    }
}
