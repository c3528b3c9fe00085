package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import dev.hitcounter.testing.LauncherProcess;
import dev.hitcounter.testing.LogLines;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;

/**
 * A wrong Redis password, user's rights, port or host shows at start-up in one line saying what is wrong, the app
 * starting anyway; refused credentials are named as such in the outage's log line and in /readyz, not as an outage.
 */
class RedisStartupCheckIT {

    private static final String CHECK = "dev.hitcounter.counter";

    @Test
    void aWrongPasswordIsNamedAtStartUpInTheOutageLineAndInReadyz() {
        try (RedisServerProcess redis = passwordProtected()) {
            String where = "redis://:***@127.0.0.1:" + redis.port() + "/0";
            String reason = "Redis at " + where + " refused the credentials (WRONGPASS): check REDIS_URL / "
                    + "REDIS_PASSWORD_FILE";
            try (LogLines log = LogLines.of(CHECK);
                 RunningApp app = RunningApp.start(Map.of("REDIS_URL",
                         "redis://:not-the-s3cret@127.0.0.1:" + redis.port()))) {
                assertEquals(List.of("WARNING Redis at start-up: " + reason + "; the app starts anyway and answers 503"
                        + " until Redis counts"), startupLines(log));

                assertEquals(503, app.get("/").statusCode());
                HttpResponse<String> readyz = app.get("/readyz");
                assertEquals(503, readyz.statusCode());
                assertEquals("not ready: " + reason + "\n", readyz.body());
                assertTrue(log.lines().contains("WARNING " + reason + "; answering 503 until it accepts them"),
                        log.lines().toString());
                assertTrue(log.lines().stream().noneMatch(line -> line.contains("s3cret")), log.lines().toString());
            }
        }
    }

    @Test
    void noPasswordWhereRedisRequiresOneIsNamedAsNoauth() {
        try (RedisServerProcess redis = passwordProtected();
             LogLines log = LogLines.of(CHECK);
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", "redis://127.0.0.1:" + redis.port()))) {
            assertEquals(List.of("WARNING Redis at start-up: Redis at redis://127.0.0.1:" + redis.port() + "/0 refused"
                    + " the credentials (NOAUTH): check REDIS_URL / REDIS_PASSWORD_FILE; the app starts anyway and"
                    + " answers 503 until Redis counts"), startupLines(log));
            assertTrue(app.get("/readyz").body().contains("refused the credentials (NOAUTH)"));
        }
    }

    @Test
    void aUserWithoutTheRightToIncrementIsNamedAsNoperm() {
        try (RedisServerProcess redis = RedisServerProcess.startWithLogin(
                DefaultJedisClientConfig.builder().user("admin").password("adm1n").build(),
                "--save", "", "--appendonly", "no", "--user", "default", "off",
                "--user", "admin", "on", ">adm1n", "~*", "+@all",
                "--user", "reader", "on", ">r3ader", "~*", "+@all", "-incrby", "-incr");
             LogLines log = LogLines.of(CHECK);
             RunningApp app = RunningApp.start(Map.of("REDIS_URL",
                     "redis://reader:r3ader@127.0.0.1:" + redis.port()))) {
            assertTrue(startupLines(log).get(0).contains("refused the credentials (NOPERM)"), log.lines().toString());
            assertTrue(app.get("/readyz").body().contains("refused the credentials (NOPERM)"));
        }
    }

    @Test
    void aPortWhereNothingListensIsNamedAsARefusedConnection() {
        int port = LauncherProcess.freePort();
        try (LogLines log = LogLines.of(CHECK);
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", "redis://127.0.0.1:" + port))) {
            String reason = "Redis at redis://127.0.0.1:" + port + "/0 refused the connection: is it running, and on"
                    + " that host and port?";
            assertEquals(List.of("WARNING Redis at start-up: " + reason + "; the app starts anyway and answers 503"
                    + " until Redis counts"), startupLines(log));
            assertEquals("not ready: " + reason + "\n", app.get("/readyz").body());
        }
    }

    @Test
    void anUnknownHostIsNamedAsADnsFailure() {
        try (LogLines log = LogLines.of(CHECK);
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", "redis://no-such-host.invalid:6379"))) {
            String reason = "the host name of Redis at redis://no-such-host.invalid:6379/0 is unknown (DNS has no"
                    + " address for no-such-host.invalid";
            List<String> lines = startupLines(log);
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("WARNING Redis at start-up: " + reason), lines.get(0));
            assertTrue(lines.get(0).contains("): check REDIS_URL; the app starts anyway"), lines.get(0));
            assertTrue(app.get("/readyz").body().startsWith("not ready: " + reason), app.get("/readyz").body());
            assertEquals(503, app.get("/").statusCode());
        }
    }

    @Test
    void aRedisThatAnswersIsSaidToAnswer() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             LogLines log = LogLines.of(CHECK);
             RunningApp app = RunningApp.withRedis(redis)) {
            assertEquals(List.of("INFO Redis at " + redis.url() + "/0 answers"), startupLines(log));
            assertEquals(1, app.view());
        }
    }

    private static RedisServerProcess passwordProtected() {
        return RedisServerProcess.startWithLogin(DefaultJedisClientConfig.builder().password("s3cret").build(),
                "--save", "", "--appendonly", "no", "--requirepass", "s3cret");
    }

    private static List<String> startupLines(LogLines log) {
        return log.lines().stream().filter(line -> line.contains("Redis at start-up") || line.endsWith(" answers"))
                .toList();
    }
}
