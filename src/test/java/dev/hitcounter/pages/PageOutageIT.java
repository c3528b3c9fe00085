package dev.hitcounter.pages;

import static dev.hitcounter.pages.PageRequests.badge;
import static dev.hitcounter.pages.PageRequests.badgeViews;
import static dev.hitcounter.pages.PageRequests.jsonViews;
import static dev.hitcounter.pages.PageRequests.post;
import static dev.hitcounter.pages.PageRequests.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * The outage promises of {@code GET /} on every page endpoint (issue 12): with Redis stopped or hung, a 503 with
 * {@code Retry-After} within the app's timeouts, never a 500 or a hang; counting again once Redis is back, without a
 * restart; and a bad value under one page's key is that page's 500 alone.
 */
class PageOutageIT {

    /** The app's longest wait at its default timeouts (2 × (50 + 250 + 250) ms + 1 s), and a margin for a busy CI. */
    private static final Duration ANSWER_BOUND = Duration.ofMillis(2_100 + 900);
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(3);

    @Test
    void stoppedRedisIs503OnEveryEndpointAndCountingResumesWhenItIsBack() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always");
             RunningApp app = RunningApp.withRedis(redis)) {
            assertEquals(1, jsonViews(post(app, "home").body()));
            assertEquals(2, badgeViews(badge(app, "home", "").body()));

            redis.stop();
            long slowest = 0;
            for (int i = 0; i < 3; i++) {
                slowest = Math.max(slowest, assertEveryEndpointUnavailable(app));
            }
            System.out.printf("pages, Redis stopped: every endpoint 503 with Retry-After, slowest %d ms%n", slowest);

            redis.restart();
            assertEquals(3, awaitCounted(app, "home"), "counting resumes from the stored count");
            assertEquals(4, badgeViews(badge(app, "home", "").body()));
            assertEquals(4, jsonViews(read(app, "home").body()));
            assertEquals(1, jsonViews(post(app, "after").body()), "a new page after the outage");
        }
    }

    @Test
    void hungRedisIs503WithinTheTimeoutsAndCountingResumesWhenItAnswersAgain() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            assertEquals(1, jsonViews(post(app, "home").body()));
            redis.pause();
            long slowest = 0;
            try {
                for (int i = 0; i < 2; i++) {
                    slowest = Math.max(slowest, assertEveryEndpointUnavailable(app));
                }
            } finally {
                redis.resume();
            }
            long next = awaitCounted(app, "home");
            System.out.printf("pages, Redis hung: every endpoint 503 with Retry-After, slowest %d ms%n", slowest);
            // A view that timed out had its script buffered in the frozen Redis, which ran it on SIGCONT.
            assertTrue(next >= 2, "counting resumes: " + next);
            assertEquals(next + 1, jsonViews(post(app, "home").body()));
        }
    }

    @Test
    void aBadValueUnderOnePageIsThatPages500AndOtherPagesStillCount() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            redis.client().set("page:x", "abc");
            redis.client().rpush("page:list", "a");
            for (String page : List.of("x", "list")) {
                HttpResponse<String> counted = post(app, page);
                assertEquals(500, counted.statusCode(), page + ": " + counted.body());
                assertFalse(counted.headers().firstValue("Retry-After").isPresent(), "retrying will not help");
                assertTrue(counted.body().contains("\"status\":500"), counted.body());
                HttpResponse<String> shown = badge(app, page, "");
                assertEquals(500, shown.statusCode(), page + ": " + shown.body());
                assertFalse(shown.headers().firstValue("Retry-After").isPresent());
                assertTrue(shown.body().contains("aria-label=\"views: broken count\""), shown.body());
                for (HttpResponse<String> reading : List.of(read(app, page), badge(app, page, "count=false"))) {
                    assertEquals(500, reading.statusCode(), page + " read: " + reading.body());
                    assertFalse(reading.headers().firstValue("Retry-After").isPresent(),
                            "reading a bad value is no outage: " + reading.uri());
                }
            }

            // Views of good pages in the same batches as the bad one are counted, each with its own count.
            ExecutorService threads = Executors.newFixedThreadPool(8);
            List<Future<HttpResponse<String>>> good = new ArrayList<>();
            List<Future<HttpResponse<String>>> bad = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                good.add(threads.submit(() -> post(app, "good")));
                bad.add(threads.submit(() -> post(app, "x")));
            }
            Set<Long> counts = new HashSet<>();
            for (Future<HttpResponse<String>> response : good) {
                assertEquals(200, response.get().statusCode(), response.get().body());
                assertTrue(counts.add(jsonViews(response.get().body())), "distinct counts");
            }
            for (Future<HttpResponse<String>> response : bad) {
                assertEquals(500, response.get().statusCode());
            }
            threads.shutdown();
            assertEquals(200, redis.valueOf("page:good"));
            assertEquals("abc", redis.client().get("page:x"), "the bad value is left for the operator");
            assertEquals(Set.of("good"), redis.client().smembers("page:known:pages"));

            redis.client().set("page:x", "41");
            assertEquals(42, jsonViews(post(app, "x").body()), "counts again once the operator fixed it");
        }
    }

    /** Every endpoint, counting or reading, answers 503 with Retry-After within the bound; returns the slowest, ms. */
    private static long assertEveryEndpointUnavailable(RunningApp app) {
        Map<String, Supplier<HttpResponse<String>>> endpoints = Map.of(
                "POST views", () -> post(app, "home"),
                "GET api", () -> read(app, "home"),
                "GET shields.json", () -> app.get("/api/pages/home/shields.json"),
                "badge", () -> badge(app, "home", ""),
                "badge count=false", () -> badge(app, "home", "count=false"),
                "badge uniques", () -> badge(app, "home", "value=uniques-today"),
                "badge of a new page", () -> badge(app, "brand-new", ""));
        long slowest = 0;
        for (Map.Entry<String, Supplier<HttpResponse<String>>> endpoint : endpoints.entrySet()) {
            String name = endpoint.getKey();
            long sent = System.nanoTime();
            HttpResponse<String> response = endpoint.getValue().get();
            long tookMillis = (System.nanoTime() - sent) / 1_000_000;
            assertEquals(503, response.statusCode(), name + ": " + response.body());
            assertEquals("1", response.headers().firstValue("Retry-After").orElse(""), name);
            assertTrue(tookMillis <= ANSWER_BOUND.toMillis(), name + " answered in " + tookMillis + " ms");
            slowest = Math.max(slowest, tookMillis);
        }
        return slowest;
    }

    /** POSTs a view of {@code page} until one is counted, within the recovery bound, and returns its count. */
    private static long awaitCounted(RunningApp app, String page) throws InterruptedException {
        long back = System.nanoTime();
        while (true) {
            HttpResponse<String> response = post(app, page);
            if (response.statusCode() == 200) {
                return jsonViews(response.body());
            }
            assertEquals(503, response.statusCode(), response.body());
            assertTrue(System.nanoTime() - back < RECOVERY_BOUND.toNanos(), "counting again within 3 s");
            Thread.sleep(20);
        }
    }
}
