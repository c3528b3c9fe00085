package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.hitcounter.testing.Load;
import dev.hitcounter.testing.LogLines;
import dev.hitcounter.testing.MetricsScrape;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Redis answering with an error is not Redis being unreachable: a bad value under the key needs a person (500, no
 * outage, the first view after the fix counts), and a Redis that refuses writes for now (READONLY, MISCONF, OOM,
 * NOREPLICAS, CLIENT PAUSE WRITE) fails views fast until it accepts writes again, without flapping.
 */
class RedisErrorRepliesIT {

    private static final String REJECTED = "hitcounter_redis_errors_total{kind=\"rejected\"}";
    private static final String UNCERTAIN = "hitcounter_views_uncertain_total";

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SET views abc                 | ERR value is not an integer or out of range | SET views 41 | 42",
        "SET views 9223372036854775807 | ERR increment or decrement would overflow   | SET views 41 | 42",
        "DEL views; RPUSH views x      | WRONGTYPE Operation against a key holding   | DEL views    | 1",
    })
    void aBadValueUnderTheKeyIsAnErrorPageNotAnOutageAndTheFirstViewAfterTheFixCounts(String breakIt, String reply,
            String fixIt, long countAfterFix) throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis);
             LogLines log = LogLines.of("dev.hitcounter.counter")) {
            assertEquals(1, app.view());
            run(redis.client(), breakIt);
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> page = app.get("/");
                assertEquals(500, page.statusCode(), page.body());
                assertTrue(page.body().contains("This view was not counted"), page.body());
                assertFalse(page.headers().firstValue("Retry-After").isPresent(), "no Retry-After: retrying won't help");
            }
            assertEquals(200, app.get("/readyz").statusCode(), "Redis itself is up");
            assertEquals(3, MetricsScrape.value(app, REJECTED));
            assertEquals(0, MetricsScrape.value(app, UNCERTAIN), "Redis counted none of them");
            List<String> lines = log.lines();
            assertEquals(1, lines.size(), "one line for one distinct reply: " + lines);
            assertTrue(lines.get(0).startsWith("SEVERE Redis rejected the increment of key 'views': \"" + reply),
                    lines.get(0));
            assertTrue(lines.get(0).contains("redis-cli DEL views"), lines.get(0));

            run(redis.client(), fixIt);
            assertEquals(countAfterFix, app.view(), "the first view after the fix counts");
        }
    }

    @Test
    void aReplicaAnswersReadOnlyWhichFailsViewsFastUntilItIsPromoted() throws Exception {
        try (RedisServerProcess primary = RedisServerProcess.start();
             RedisServerProcess replica = RedisServerProcess.start("--save", "", "--appendonly", "no",
                     "--replicaof", "127.0.0.1", String.valueOf(primary.port()));
             RunningApp app = RunningApp.withRedis(replica)) {
            refusesWritesWithoutFlappingUntil(app, "READONLY",
                    ok -> replica.client().sendCommand(Protocol.Command.REPLICAOF, "NO", "ONE"));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CONFIG SET min-replicas-to-write 1 | NOREPLICAS | CONFIG SET min-replicas-to-write 0",
        "CONFIG SET maxmemory 1             | OOM        | CONFIG SET maxmemory 0",
    })
    void aRedisThatRefusesWritesFailsViewsFastWithoutFlappingUntilItAcceptsThemAgain(String refuse, String reply,
            String accept) throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            assertEquals(1, app.view());
            run(redis.client(), refuse);
            refusesWritesWithoutFlappingUntil(app, reply, ok -> run(redis.client(), accept));
            assertEquals(2, redis.valueOf("views"), "the refused views counted nothing");
        }
    }

    @Test
    void aPauseOfWritesFailsViewsFastWithoutFlappingUntilItEnds() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            assertEquals(1, app.view());
            run(redis.client(), "CLIENT PAUSE 60000 WRITE");
            refusesWritesWithoutFlappingUntil(app, "TIMEOUT", ok -> run(redis.client(), "CLIENT UNPAUSE"));
        }
    }

    /**
     * Under load for 1.5 s Redis refuses every write: views get 503 with Retry-After, quickly, with one line when it
     * starts; then {@code accept} lets writes through, and views count again within a second, one line when it ends.
     */
    private static void refusesWritesWithoutFlappingUntil(RunningApp app, String reply, Consumer<Void> accept)
            throws Exception {
        try (LogLines log = LogLines.of("dev.hitcounter.counter")) {
            List<Load.Answer> refused;
            try (Load load = Load.start(app.uri("/"), 4)) {
                Thread.sleep(1_500);
                refused = load.stop();
            }
            assertFalse(refused.isEmpty());
            assertTrue(refused.stream().allMatch(answer -> answer.status() == 503), "only 503s while refused");
            long slowest = refused.stream().mapToLong(Load.Answer::tookNanos).max().orElseThrow() / 1_000_000;
            assertTrue(slowest < 1_000, "slowest 503: " + slowest + " ms");
            HttpResponse<String> page = app.get("/");
            assertEquals(503, page.statusCode());
            assertEquals("1", page.headers().firstValue("Retry-After").orElse(""));
            assertEquals(503, app.get("/readyz").statusCode(), "not ready while Redis refuses writes");
            List<String> lines = log.lines();
            assertEquals(1, lines.size(), "one line while " + refused.size() + " views were refused: " + lines);
            assertTrue(lines.get(0).contains(reply), lines.get(0));

            accept.accept(null);
            long accepted = System.nanoTime();
            while (app.get("/").statusCode() != 200) {
                assertTrue(System.nanoTime() - accepted < Duration.ofSeconds(1).toNanos(),
                        "views count again within a second of Redis accepting writes");
                Thread.sleep(10);
            }
            assertEquals(200, app.get("/readyz").statusCode());
            assertEquals(2, log.lines().size(), "one more line when it ends: " + log.lines());
        }
    }

    /** Runs each of the {@code ;}-separated commands, as an operator would type them in redis-cli. */
    private static void run(RedisClient client, String commands) {
        for (String command : commands.split(";")) {
            String[] words = command.trim().split("\\s+");
            client.sendCommand(() -> SafeEncoder.encode(words[0]), Arrays.copyOfRange(words, 1, words.length));
        }
    }
}
