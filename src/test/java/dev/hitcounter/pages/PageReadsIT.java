package dev.hitcounter.pages;

import static dev.hitcounter.pages.PageRequests.badge;
import static dev.hitcounter.pages.PageRequests.jsonViews;
import static dev.hitcounter.pages.PageRequests.post;
import static dev.hitcounter.pages.PageRequests.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * Reads of pages hold no request thread (issue 21 item 1): with two request threads and Redis hung, a crowd of badges
 * that only read and of {@code GET /api/pages/{page}} waits on the app's own threads while {@code /healthz} answers
 * at once; each of them is then answered 503 with {@code Retry-After}, and while an outage is known a read fails at
 * once instead of waiting for Redis.
 */
class PageReadsIT {

    /** Long enough that the reads are still waiting for Redis while /healthz is asked. */
    private static final int READ_TIMEOUT_MILLIS = 3_000;
    private static final int EACH = 40;

    /** The crowd's client; /healthz has its own, so that it waits for no connection or thread of theirs. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpClient probe = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readsOfAHungRedisHoldNoRequestThreadAndAnswer503() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "REQUEST_THREADS", "2",
                     "REDIS_READ_TIMEOUT_MS", String.valueOf(READ_TIMEOUT_MILLIS)))) {
            assertEquals(1, jsonViews(post(app, "x").body()));
            assertTrue(badge(app, "x", "value=uniques-7d").body().contains("aria-label=\"visitors this week: 1\""));
            assertTrue(badge(app, "x", "count=false").body().contains("aria-label=\"views: 1\""));
            assertEquals(1, jsonViews(read(app, "x").body()));
            healthz(app);

            List<CompletableFuture<HttpResponse<String>>> reads = new ArrayList<>();
            List<Long> healthMillis = new ArrayList<>();
            List<HttpResponse<String>> answers = new ArrayList<>();
            redis.pause();
            try {
                for (int i = 0; i < EACH; i++) {
                    reads.add(send(app, "/badge/x.svg?value=uniques-7d"));
                    reads.add(send(app, "/badge/x.svg?count=false"));
                    reads.add(send(app, "/api/pages/x"));
                }
                // Time for the two request threads to take in the crowd; the reads then wait for Redis for seconds.
                Thread.sleep(1_000);
                for (int i = 0; i < 5; i++) {
                    healthMillis.add(healthz(app));
                }
                long pending = reads.stream().filter(read -> !read.isDone()).count();
                System.out.printf("PageReadsIT: /healthz with %d of %d reads waiting for a hung Redis: %s ms%n",
                        pending, reads.size(), healthMillis);
                assertTrue(pending > 0, "the reads were still waiting for Redis while /healthz was asked");
                for (CompletableFuture<HttpResponse<String>> future : reads) {
                    answers.add(future.get(30, TimeUnit.SECONDS));
                }
            } finally {
                redis.resume();
            }
            assertTrue(healthMillis.stream().allMatch(millis -> millis < 100),
                    "/healthz answers in under 100 ms while reads wait for Redis: " + healthMillis + " ms");
            for (HttpResponse<String> response : answers) {
                String what = response.uri() + ": " + response.body();
                assertEquals(503, response.statusCode(), what);
                assertEquals("1", response.headers().firstValue("Retry-After").orElse(""), what);
                if (response.uri().getPath().startsWith("/badge/")) {
                    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("image/svg+xml"),
                            what);
                    assertTrue(response.body().contains(": unavailable\""), what);
                } else {
                    assertTrue(response.body().contains("\"status\":503"), what);
                }
            }
        }
    }

    @Test
    void whileAnOutageIsKnownAReadFailsAtOnceWithoutWaitingForRedis() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(),
                     "REDIS_READ_TIMEOUT_MS", String.valueOf(READ_TIMEOUT_MILLIS)))) {
            assertEquals(1, app.view());
            redis.pause();
            try {
                // The counter of GET / waits out its read timeout and learns that Redis is down.
                assertEquals(503, app.get("/").statusCode());
                for (String path : List.of("/badge/x.svg?count=false", "/badge/x.svg?value=uniques-today",
                        "/api/pages/x", "/api/pages/x/shields.json")) {
                    long sent = System.nanoTime();
                    HttpResponse<String> response = app.get(path);
                    long tookMillis = (System.nanoTime() - sent) / 1_000_000;
                    assertEquals(503, response.statusCode(), path + ": " + response.body());
                    assertEquals("1", response.headers().firstValue("Retry-After").orElse(""), path);
                    assertTrue(tookMillis < READ_TIMEOUT_MILLIS / 3,
                            path + " answered in " + tookMillis + " ms: it waited for Redis");
                }
            } finally {
                redis.resume();
            }
            long back = System.nanoTime();
            while (badge(app, "x", "count=false").statusCode() != 200) {
                assertTrue(System.nanoTime() - back < Duration.ofSeconds(5).toNanos(), "reads resume within 5 s");
                Thread.sleep(20);
            }
        }
    }

    private CompletableFuture<HttpResponse<String>> send(RunningApp app, String path) {
        return http.sendAsync(HttpRequest.newBuilder(app.uri(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GETs /healthz on a connection of its own, insists on a 200, and returns how long it took, ms. */
    private long healthz(RunningApp app) throws Exception {
        URI uri = app.uri("/healthz");
        long sent = System.nanoTime();
        HttpResponse<String> response = probe.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - sent) / 1_000_000;
        assertEquals(200, response.statusCode(), response.body());
        return millis;
    }
}
