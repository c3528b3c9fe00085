package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.hitcounter.testing.LauncherProcess;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import dev.hitcounter.testing.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rediss://} against a Redis that speaks only TLS, with a certificate for 127.0.0.1 that the app trusts
 * through the JVM's standard trust-store options: views count, and a wrong host name or an untrusted
 * certificate is refused (503), never silently accepted.
 */
class RedisTlsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static SelfSignedCertificate certificate;
    private static RedisServerProcess redis;

    @BeforeAll
    static void startRedis() {
        certificate = SelfSignedCertificate.forIp("127.0.0.1");
        // 127.0.0.2 reaches the same server, under a name its certificate does not carry.
        redis = RedisServerProcess.startWithTls(certificate, "--bind", "127.0.0.1", "127.0.0.2");
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void viewsCountOverTlsWhenTheCertificateIsTrustedAndNamesTheHost() throws Exception {
        try (LauncherProcess app = launch("rediss://127.0.0.1:" + redis.port(), certificate.trustStoreOptions())) {
            long first = RunningApp.countIn(app.awaitAnswer(HTTP, app.uri("/")));
            HttpResponse<String> second = get(app, "/");
            assertEquals(200, second.statusCode(), second.body());
            assertEquals(first + 1, RunningApp.countIn(second.body()));
            assertEquals(200, get(app, "/readyz").statusCode());
            assertEquals(first + 1, redis.valueOf("views"), "the test's own TLS client reads the same key");
        }
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsRefused() throws Exception {
        try (LauncherProcess app = launch("rediss://127.0.0.2:" + redis.port(), certificate.trustStoreOptions())) {
            assertRefused(app);
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        try (LauncherProcess app = launch("rediss://127.0.0.1:" + redis.port(), List.of())) {
            assertRefused(app);
        }
    }

    @Test
    void plainRedisUrlAgainstTheTlsPortIsRefused() throws Exception {
        try (LauncherProcess app = launch("redis://127.0.0.1:" + redis.port(), List.of())) {
            assertRefused(app);
        }
    }

    private void assertRefused(LauncherProcess app) throws Exception {
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

    private static LauncherProcess launch(String redisUrl, List<String> jvmOptions) {
        return LauncherProcess.start(Map.of("PORT", String.valueOf(LauncherProcess.freePort()), "REDIS_URL", redisUrl),
                jvmOptions);
    }

    private static HttpResponse<String> get(LauncherProcess app, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(app.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
