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
import dev.hitcounter.testing.RedisClusterProcess;
import dev.hitcounter.testing.RunningApp;
import dev.hitcounter.testing.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Redis Cluster that speaks only TLS (clients, cluster bus and replication: {@code tls-cluster yes}) with an ACL
 * user: {@code REDIS_CLUSTER=true} with {@code rediss://user:password@seed} counts there; an untrusted certificate or
 * a wrong password answers 503 with {@code Retry-After}, and the log says which.
 */
class RedisClusterTlsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static SelfSignedCertificate certificate;
    private static RedisClusterProcess cluster;

    @BeforeAll
    static void startCluster() {
        certificate = SelfSignedCertificate.forIp("127.0.0.1");
        cluster = RedisClusterProcess.startWithTls(certificate);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void anAclUserCountsOverTls() throws Exception {
        try (LauncherProcess app = launch(RedisClusterProcess.password(), certificate.trustStoreOptions())) {
            long first = RunningApp.countIn(app.awaitAnswer(HTTP, app.uri("/")));
            HttpResponse<String> second = get(app, "/");
            assertEquals(200, second.statusCode(), second.body());
            assertEquals(first + 1, RunningApp.countIn(second.body()));
            assertEquals(200, get(app, "/readyz").statusCode());
            assertEquals(first + 1, cluster.valueOf("views"), "the test's own TLS cluster client reads the same key");
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(app.uri("/api/pages/tls/views"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), page.body());
            assertEquals(1, cluster.valueOf("{page}:tls"));
        }
    }

    @Test
    void anUntrustedCertificateAnswers503AndTheLogSaysSo() throws Exception {
        try (LauncherProcess app = launch(RedisClusterProcess.password(), List.of())) {
            assertRefused(app, "TLS handshake");
        }
    }

    @Test
    void aWrongPasswordAnswers503AndTheLogSaysSo() throws Exception {
        try (LauncherProcess app = launch("not-the-password", certificate.trustStoreOptions())) {
            assertRefused(app, "refused the credentials (WRONGPASS)");
        }
    }

    private static void assertRefused(LauncherProcess app, String logged) throws Exception {
        long before = cluster.valueOf("views");
        app.awaitAnswer(HTTP, app.uri("/healthz"));
        HttpResponse<String> page = get(app, "/");
        assertEquals(503, page.statusCode(), page.body());
        assertEquals("1", page.headers().firstValue("Retry-After").orElse(null));
        assertFalse(page.body().contains("Exception"), page.body());
        assertEquals(503, get(app, "/readyz").statusCode());
        assertEquals(before, cluster.valueOf("views"), "nothing counted");
        assertTrue(app.output().contains(logged), "the log says why: " + app.output());
        assertTrue(app.process().isAlive());
    }

    private static LauncherProcess launch(String password, List<String> jvmOptions) {
        String url = cluster.seedUrl().replace("rediss://", "rediss://" + RedisClusterProcess.user() + ":" + password
                + "@");
        return LauncherProcess.start(Map.of("PORT", String.valueOf(LauncherProcess.freePort()), "REDIS_URL", url,
                "REDIS_CLUSTER", "true"), jvmOptions);
    }

    private static HttpResponse<String> get(LauncherProcess app, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(app.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
