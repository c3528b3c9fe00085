package dev.hitcounter.counter;

import java.util.List;
import java.util.Map;

import dev.hitcounter.testing.LauncherProcess;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.SelfSignedCertificate;
import dev.hitcounter.testing.TlsRedisChecks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rediss://} against a Redis that speaks only TLS, with a certificate for 127.0.0.1 that the app trusts
 * through the JVM's standard trust-store options: views count, and a wrong host name or an untrusted
 * certificate is refused (503), never silently accepted.
 */
class RedisTlsIT {

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
            TlsRedisChecks.assertCountsIn(app, redis);
        }
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsRefused() throws Exception {
        try (LauncherProcess app = launch("rediss://127.0.0.2:" + redis.port(), certificate.trustStoreOptions())) {
            TlsRedisChecks.assertRefusedBy(app, redis);
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        try (LauncherProcess app = launch("rediss://127.0.0.1:" + redis.port(), List.of())) {
            TlsRedisChecks.assertRefusedBy(app, redis);
        }
    }

    @Test
    void plainRedisUrlAgainstTheTlsPortIsRefused() throws Exception {
        try (LauncherProcess app = launch("redis://127.0.0.1:" + redis.port(), List.of())) {
            TlsRedisChecks.assertRefusedBy(app, redis);
        }
    }

    private static LauncherProcess launch(String redisUrl, List<String> jvmOptions) {
        return LauncherProcess.start(Map.of("PORT", String.valueOf(LauncherProcess.freePort()), "REDIS_URL", redisUrl),
                jvmOptions);
    }
}
