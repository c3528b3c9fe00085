package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import dev.hitcounter.testing.LauncherProcess;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/** SIGTERM while requests are in flight: they all finish, new connections are refused, the process exits. */
class GracefulShutdownIT {

    @Test
    void sigtermLetsRequestsInFlightFinish() throws Exception {
        int port = LauncherProcess.freePort();
        try (RedisServerProcess redis = RedisServerProcess.start();
             LauncherProcess launcher = LauncherProcess.start(Map.of("PORT", String.valueOf(port),
                     "REDIS_URL", redis.url(), "REDIS_READ_TIMEOUT_MS", "5000"))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI root = URI.create("http://127.0.0.1:" + port + "/");
            assertEquals(1, RunningApp.countIn(launcher.awaitAnswer(http, root)));

            // A frozen Redis holds the next requests in flight inside the app.
            redis.pause();
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                inFlight.add(http.sendAsync(HttpRequest.newBuilder(root).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Thread.sleep(500);
            launcher.terminate();
            Thread.sleep(500);
            assertThrows(ConnectException.class, () -> new java.net.Socket("127.0.0.1", port).close(),
                    "a stopping server accepts no new connections");
            redis.resume();

            Set<Long> counts = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> request : inFlight) {
                HttpResponse<String> response = request.get();
                assertEquals(200, response.statusCode(), response.body());
                counts.add(RunningApp.countIn(response.body()));
            }
            assertEquals(8, counts.size());
            assertEquals(143, launcher.awaitExit(), "exits as a JVM does on SIGTERM: " + launcher.output());
            assertEquals(9, redis.valueOf("views"));
            assertTrue(launcher.output().contains("Stopping service"), launcher.output());
        }
    }

    @Test
    void sigtermWhileRedisHangsWaitsForTheAppsOwnThreads() throws Exception {
        int port = LauncherProcess.freePort();
        try (RedisServerProcess redis = RedisServerProcess.start();
             LauncherProcess launcher = LauncherProcess.start(Map.of("PORT", String.valueOf(port),
                     "REDIS_URL", redis.url(), "REDIS_READ_TIMEOUT_MS", "2000"))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI root = URI.create("http://127.0.0.1:" + port + "/");
            assertEquals(1, RunningApp.countIn(launcher.awaitAnswer(http, root)));

            redis.pause();
            // A view that times out starts an outage, whose probe pings the frozen Redis from 0.1 s later,
            // each ping waiting out the 2 s read timeout: the stop begins while one waits.
            HttpResponse<String> view = http.send(HttpRequest.newBuilder(root).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, view.statusCode(), view.body());
            Thread.sleep(300);
            launcher.terminate();

            assertEquals(143, launcher.awaitExit(), launcher.output());
            assertTrue(launcher.output().contains("Stopping service"), launcher.output());
            // Tomcat's leak check: "... appears to have started a thread named [X] but has failed to stop it."
            assertFalse(launcher.output().contains("failed to stop it"), launcher.output());
        }
    }
}
