package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.DefaultJedisClientConfig;

/** Redis Sentinel with a password of its own ({@code requirepass}) in front of a primary that requires another. */
class SentinelAuthIT {

    @Test
    void countsThroughSentinelsThatRequireTheirOwnPassword(@TempDir Path dir) throws Exception {
        try (RedisServerProcess primary = RedisServerProcess.startWithLogin(
                DefaultJedisClientConfig.builder().password("data-s3cret").build(),
                "--save", "", "--appendonly", "no", "--requirepass", "data-s3cret");
             RedisServerProcess sentinel = RedisServerProcess.startSentinelWithLogin(
                DefaultJedisClientConfig.builder().password("sentinel-s3cret").build(),
                "requirepass sentinel-s3cret",
                "sentinel monitor mymaster 127.0.0.1 " + primary.port() + " 1",
                "sentinel auth-pass mymaster data-s3cret")) {
            String dataPassword = Files.writeString(dir.resolve("redis-password"), "data-s3cret\n").toString();
            String sentinelPassword = Files.writeString(dir.resolve("sentinel-password"), "sentinel-s3cret\n")
                    .toString();
            String sentinels = "127.0.0.1:" + sentinel.port();

            try (RunningApp app = RunningApp.start(Map.of("REDIS_SENTINELS", sentinels,
                    "REDIS_PASSWORD_FILE", dataPassword, "REDIS_SENTINEL_PASSWORD_FILE", sentinelPassword))) {
                assertEquals(1, app.view());
                assertEquals(2, app.view());
                assertEquals(200, app.get("/readyz").statusCode());
            }
            assertEquals(2, primary.valueOf("views"));

            // Without the Sentinels' password no Sentinel names the primary: 503, as while none answers.
            try (RunningApp without = RunningApp.start(Map.of("REDIS_SENTINELS", sentinels,
                    "REDIS_PASSWORD_FILE", dataPassword))) {
                assertEquals(503, without.get("/").statusCode());
                assertEquals(503, without.get("/readyz").statusCode());
            }
            assertEquals(2, primary.valueOf("views"));
        }
    }
}
