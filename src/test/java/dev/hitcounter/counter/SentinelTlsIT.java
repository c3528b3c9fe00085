package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * {@code REDIS_SENTINEL_TLS=true} against a Sentinel and a primary that speak only TLS, with a certificate for
 * 127.0.0.1 that the app trusts through the JVM's standard trust-store options: views count, and an untrusted
 * certificate is refused (503), never silently accepted.
 */
class SentinelTlsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static SelfSignedCertificate certificate;
    private static RedisServerProcess primary;
    private static RedisServerProcess sentinel;

    @BeforeAll
    static void startRedis() {
        certificate = SelfSignedCertificate.forIp("127.0.0.1");
        primary = RedisServerProcess.startWithTls(certificate);
        sentinel = RedisServerProcess.startSentinelWithTls(certificate,
                "sentinel monitor mymaster 127.0.0.1 " + primary.port() + " 1");
    }

    @AfterAll
    static void stopRedis() {
        sentinel.close();
        primary.close();
    }

    @Test
    void viewsCountThroughATlsSentinelWhenTheCertificateIsTrusted() throws Exception {
        try (LauncherProcess app = launch(certificate.trustStoreOptions())) {
            long first = RunningApp.countIn(app.awaitAnswer(HTTP, app.uri("/")));
            HttpResponse<String> second = get(app, "/");
            assertEquals(200, second.statusCode(), second.body());
            assertEquals(first + 1, RunningApp.countIn(second.body()));
            assertEquals(200, get(app, "/readyz").statusCode());
            assertEquals(first + 1, primary.valueOf("views"), "the test's own TLS client reads the same key");
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        long before = primary.valueOf("views");
        try (LauncherProcess app = launch(List.of())) {
            app.awaitAnswer(HTTP, app.uri("/healthz"));
            HttpResponse<String> page = get(app, "/");
            assertEquals(503, page.statusCode(), page.body());
            assertEquals("1", page.headers().firstValue("Retry-After").orElse(null));
            assertEquals(503, get(app, "/readyz").statusCode());
        }
        assertEquals(before, primary.valueOf("views"), "nothing counted");
    }

    private static LauncherProcess launch(List<String> jvmOptions) {
        return LauncherProcess.start(Map.of("PORT", String.valueOf(LauncherProcess.freePort()),
                "REDIS_SENTINELS", "127.0.0.1:" + sentinel.port(), "REDIS_SENTINEL_TLS", "true"), jvmOptions);
    }

    private static HttpResponse<String> get(LauncherProcess app, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(app.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
