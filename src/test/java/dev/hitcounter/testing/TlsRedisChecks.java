package dev.hitcounter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * What the TLS tests check of a launched app and the Redis it should count in: that it counts there, or that a
 * refused TLS connection is an outage (503 with {@code Retry-After}, nothing counted), never a crash.
 */
public final class TlsRedisChecks {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TlsRedisChecks() {
    }

    /** Two views count one after the other in {@code redis}, and the app is ready. */
    public static void assertCountsIn(LauncherProcess app, RedisServerProcess redis) throws Exception {
        long first = RunningApp.countIn(app.awaitAnswer(HTTP, app.uri("/")));
        HttpResponse<String> second = get(app, "/");
        assertEquals(200, second.statusCode(), second.body());
        assertEquals(first + 1, RunningApp.countIn(second.body()));
        assertEquals(200, get(app, "/readyz").statusCode());
        assertEquals(first + 1, redis.valueOf("views"), "the test's own TLS client reads the same key");
    }

    /** The app is up but cannot count in {@code redis}: 503 with Retry-After, not ready, nothing counted. */
    public static void assertRefusedBy(LauncherProcess app, RedisServerProcess redis) throws Exception {
        long before = redis.valueOf("views");
        app.awaitAnswer(HTTP, app.uri("/healthz"));
        HttpResponse<String> page = get(app, "/");
        assertEquals(503, page.statusCode(), page.body());
        assertEquals("1", page.headers().firstValue("Retry-After").orElse(null));
        assertFalse(page.body().contains("Exception"), page.body());
        assertEquals(503, get(app, "/readyz").statusCode());
        assertEquals(before, redis.valueOf("views"), "nothing counted");
        assertTrue(app.process().isAlive(), "a refused TLS handshake is an outage, not a crash: " + app.output());
    }

    private static HttpResponse<String> get(LauncherProcess app, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(app.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
