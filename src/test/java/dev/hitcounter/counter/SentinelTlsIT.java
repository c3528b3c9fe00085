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
 * {@code REDIS_SENTINEL_TLS=true} against a Sentinel and a primary that speak only TLS, with a certificate for
 * 127.0.0.1 that the app trusts through the JVM's standard trust-store options: views count, and an untrusted
 * certificate is refused (503), never silently accepted.
 */
class SentinelTlsIT {

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
            TlsRedisChecks.assertCountsIn(app, primary);
        }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        try (LauncherProcess app = launch(List.of())) {
            TlsRedisChecks.assertRefusedBy(app, primary);
        }
    }

    private static LauncherProcess launch(List<String> jvmOptions) {
        return LauncherProcess.start(Map.of("PORT", String.valueOf(LauncherProcess.freePort()),
                "REDIS_SENTINELS", "127.0.0.1:" + sentinel.port(), "REDIS_SENTINEL_TLS", "true"), jvmOptions);
    }
}
