package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The app on real Tomcat over real HTTP, counting in a real redis-server that the test starts. */
class RedisCountingIT {

    private RedisServerProcess redis;

    @BeforeEach
    void startRedis() {
        redis = RedisServerProcess.start();
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    @Test
    void countsOneTwoThreeInRedisKeyViews() {
        try (RunningApp app = RunningApp.withRedis(redis)) {
            assertEquals(1, app.view());
            assertEquals(2, app.view());
            assertEquals(3, app.view());
        }
        assertEquals(3, redis.valueOf("views"));
    }

    @Test
    void continuesFromTheCountAlreadyInRedis() {
        redis.client().set("views", "41");
        try (RunningApp app = RunningApp.withRedis(redis)) {
            assertEquals(42, app.view());
        }
    }

    @Test
    void countSurvivesAnAppRestart() {
        try (RunningApp app = RunningApp.withRedis(redis)) {
            app.view();
            app.view();
        }
        try (RunningApp restarted = RunningApp.withRedis(redis)) {
            assertEquals(3, restarted.view());
        }
    }

    @Test
    void countsInTheConfiguredKey() {
        try (RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "COUNTER_KEY", "hits:home"))) {
            app.view();
            app.view();
        }
        assertEquals(2, redis.valueOf("hits:home"));
        assertEquals(0, redis.valueOf("views"));
    }

    @Test
    void countsInTheDatabaseNamedInTheUrl() {
        try (RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url() + "/3"))) {
            app.view();
        }
        assertEquals(0, redis.valueOf("views"));
        try (RedisClient db3 = RedisClient.create(redis.url() + "/3")) {
            assertEquals("1", db3.get("views"));
        }
    }

    @Test
    void onlyGetOfTheRootCounts() {
        try (RunningApp app = RunningApp.withRedis(redis)) {
            app.view();
            for (String path : List.of("/favicon.ico", "/x", "/index.html", "/healthz", "/readyz", "/x.jsp")) {
                app.get(path);
            }
            app.send(java.net.http.HttpRequest.newBuilder(app.uri("/")).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()));
            app.send(java.net.http.HttpRequest.newBuilder(app.uri("/")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
            assertEquals(2, app.view());
        }
        assertEquals(2, redis.valueOf("views"));
    }

    @Test
    void concurrentViewsAreExactAndDistinct() throws Exception {
        int views = 2_000;
        int threads = 32;
        // Generous timeouts: this test is about exactness, and the CI machine is shared and noisy.
        try (RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "REDIS_READ_TIMEOUT_MS", "5000"))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Long>> counts = new ArrayList<>();
                for (int i = 0; i < views; i++) {
                    counts.add(pool.submit(app::view));
                }
                Set<Long> distinct = new HashSet<>();
                for (Future<Long> count : counts) {
                    distinct.add(count.get());
                }
                assertEquals(views, distinct.size(), "every 200 carries its own count");
                assertTrue(distinct.stream().allMatch(n -> n >= 1 && n <= views), "counts are 1.." + views);
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(views, redis.valueOf("views"), "Redis grew by exactly the number of views");
    }

    @Test
    void redisDownAnswers503AndNotReady() {
        try (RunningApp app = RunningApp.withRedis(redis)) {
            app.view();
            redis.stop();

            HttpResponse<String> page = app.get("/");
            assertEquals(503, page.statusCode());
            assertTrue(page.headers().firstValue("Retry-After").isPresent());
            assertTrue(page.body().contains("unavailable"), page.body());
            assertEquals(503, app.get("/readyz").statusCode());
            assertEquals(200, app.get("/healthz").statusCode());

            redis.restart();
            assertEquals(200, app.get("/readyz").statusCode());
            RunningApp.countIn(app.get("/").body());
        }
    }
}
