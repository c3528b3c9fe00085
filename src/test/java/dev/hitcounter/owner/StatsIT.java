package dev.hitcounter.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may see /stats, its headers, and the owner's reads while Redis is down, over real HTTP (issue 24 part 2).
 */
class StatsIT {

    private static final String TOKEN = "stats-admin-token-0123456789";

    @Test
    void privateStatsNeedTheTokenByBasicOrBearerAndDoNotExistWithoutOne(@TempDir Path dir) throws IOException {
        Path token = Files.writeString(dir.resolve("token"), TOKEN);
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp without = RunningApp.withRedis(redis);
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(),
                     "ADMIN_TOKEN_FILE", token.toString()))) {
            assertEquals(404, without.get("/stats").statusCode());

            HttpResponse<String> asked = app.get("/stats");
            assertEquals(401, asked.statusCode());
            assertEquals("Basic realm=\"hit-counter stats\", charset=\"UTF-8\"",
                    asked.headers().firstValue("WWW-Authenticate").orElse(""));
            assertFalse(asked.body().contains("<table"), asked.body());
            assertEquals(401, get(app, "/stats", "Basic " + basic("owner:wrong")).statusCode());

            app.send(HttpRequest.newBuilder(app.uri("/api/pages/home/views")).POST(HttpRequest.BodyPublishers.noBody()));
            for (String authorization : new String[] {"Basic " + basic("owner:" + TOKEN), "Bearer " + TOKEN}) {
                HttpResponse<String> stats = get(app, "/stats?sort=today&page=home", authorization);
                assertEquals(200, stats.statusCode(), stats.body());
                assertTrue(stats.body().contains("<a href=\"?sort=today&amp;page=home\">home</a></td><td>1</td>"),
                        stats.body());
                String csp = stats.headers().firstValue("Content-Security-Policy").orElse("");
                assertTrue(csp.startsWith("default-src 'none'; style-src 'sha256-"), csp);
                assertFalse(csp.contains("script") || csp.contains("unsafe"), csp);
                assertFalse(stats.body().contains("<script"), "works with JavaScript off");
                assertEquals("nosniff", stats.headers().firstValue("X-Content-Type-Options").orElse(""));
                assertEquals("no-store", stats.headers().firstValue("Cache-Control").orElse(""));
            }
            assertEquals(400, get(app, "/stats?sort=nope", "Bearer " + TOKEN).statusCode());
            assertEquals(400, get(app, "/stats?page=a:b", "Bearer " + TOKEN).statusCode());
        }
    }

    @Test
    void publicStatsAreForAnyone() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "STATS_VISIBILITY", "public"))) {
            HttpResponse<String> stats = app.get("/stats");
            assertEquals(200, stats.statusCode());
            assertTrue(stats.body().contains("No page has been counted yet."), stats.body());
        }
    }

    @Test
    void whileRedisIsDownTheOwnersReadsAnswer503WithRetryAfterAtOnce() throws IOException {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        try (RunningApp app = RunningApp.start(Map.of("REDIS_URL", "redis://127.0.0.1:" + deadPort,
                "STATS_VISIBILITY", "public"))) {
            for (String path : new String[] {"/stats?page=home", "/api/pages/home/history"}) {
                for (int i = 0; i < 3; i++) {
                    long started = System.nanoTime();
                    HttpResponse<String> down = app.get(path);
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    assertEquals(503, down.statusCode(), path + ": " + down.body());
                    assertEquals("1", down.headers().firstValue("Retry-After").orElse(""));
                    assertFalse(down.body().contains("Exception"), down.body());
                    assertTrue(millis < 5_000, path + " answered in " + millis + " ms");
                }
            }
        }
    }

    private static HttpResponse<String> get(RunningApp app, String path, String authorization) {
        return app.send(HttpRequest.newBuilder(app.uri(path)).header("Authorization", authorization).GET());
    }

    private static String basic(String credentials) {
        return Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }
}
