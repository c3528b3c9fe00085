package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;

/** A Redis that requires a login: an ACL user and password in REDIS_URL, or the password in a file. */
class RedisCredentialsIT {

    @Test
    void aclUserAndPasswordFromTheUrlCount() {
        try (RedisServerProcess redis = RedisServerProcess.startWithLogin(
                DefaultJedisClientConfig.builder().user("app").password("s3cret").build(),
                "--save", "", "--appendonly", "no", "--user", "default", "off", "--user", "app", "on", ">s3cret", "~*", "+@all")) {
            String url = "redis://app:s3cret@127.0.0.1:" + redis.port();
            try (RunningApp app = RunningApp.start(Map.of("REDIS_URL", url))) {
                assertEquals(1, app.view());
                assertEquals(2, app.view());
                assertEquals(200, app.get("/readyz").statusCode());
            }
            assertEquals(2, redis.valueOf("views"));
            try (RunningApp wrong = RunningApp.start(Map.of("REDIS_URL", "redis://app:wrong@127.0.0.1:" + redis.port()))) {
                assertEquals(503, wrong.get("/").statusCode());
                assertEquals(503, wrong.get("/readyz").statusCode());
            }
        }
    }

    @Test
    void passwordFileLogsIn() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.startWithLogin(
                DefaultJedisClientConfig.builder().password("from-a-file").build(),
                "--save", "", "--appendonly", "no", "--requirepass", "from-a-file")) {
            Path secret = Files.writeString(Files.createTempFile("redis-password", ""), "from-a-file\n");
            try (RunningApp app = RunningApp.start(Map.of("REDIS_URL", "redis://127.0.0.1:" + redis.port(),
                    "REDIS_PASSWORD_FILE", secret.toString()))) {
                assertEquals(1, app.view());
            }
            assertEquals(1, redis.valueOf("views"));
        }
    }
}
