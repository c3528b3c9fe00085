package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.hitcounter.testing.Load;
import dev.hitcounter.testing.LogLines;
import dev.hitcounter.testing.Load.Answer;
import dev.hitcounter.testing.MetricsScrape;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * A real redis-server stopped, killed, paused and restarted under concurrent load, with the app
 * at its default timeouts: every wait bounded, no loss, no double count, recovery by itself.
 */
class RedisFaultsIT {

    private static final int CLIENTS = 16;
    /** The app waits at most one 250 ms read timeout, and fails fast once the outage is known. */
    private static final Duration TYPICAL_BOUND = Duration.ofMillis(300);
    /** Every answer, even on a starved CI machine where the client threads themselves wait for a core. */
    private static final Duration ANSWER_BOUND = Duration.ofMillis(1_000);
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(1);

    @Test
    void hungRedisAnswers503QuicklyThenRecoversAndNothingIsLostOrCountedTwice() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Outage outage = underLoad(redis, redis::pause, redis::resume);
            assertTrue(outage.uncertain() <= CLIENTS,
                    "only requests in flight when Redis hung are uncertain: " + outage.uncertain());
            // A request that timed out had its INCRBY buffered in the frozen Redis, which runs it on SIGCONT.
            assertEquals(outage.served() + outage.uncertain(), outage.counter(),
                    "counter = 200s served + uncertain 503s (" + outage.served() + " + " + outage.uncertain() + ")");
        }
    }

    @Test
    void stoppedRedisAnswers503QuicklyThenRecoversOnRestart() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always")) {
            Outage outage = underLoad(redis, redis::stop, redis::restart);
            assertTrue(outage.counter() >= outage.served(), "no view served was lost: " + outage);
            assertTrue(outage.counter() <= outage.served() + outage.uncertain(), "nothing counted twice: " + outage);
        }
    }

    @Test
    void killedRedisAnswers503AndTheAppRecoversWhenItIsBack() throws Exception {
        // appendfsync always: every acknowledged INCR survives the kill, so counts stay distinct.
        try (RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always")) {
            Outage outage = underLoad(redis, redis::kill, redis::restart);
            assertTrue(outage.counter() >= outage.served(), "no view served was lost: " + outage);
        }
    }

    /** What one fault under load left behind: 200s served, uncertain 503s, and the counter in Redis. */
    private record Outage(long served, long uncertain, long counter) {
    }

    /** Runs the app under load, applies {@code fault} for a second, then {@code recovery}, and checks the answers. */
    private static Outage underLoad(RedisServerProcess redis, Runnable fault, Runnable recovery) throws Exception {
        try (RunningApp app = RunningApp.withRedis(redis);
             Load load = Load.start(app.uri("/"), CLIENTS)) {
            Thread.sleep(500);
            long faultAt = load.now();
            fault.run();
            Thread.sleep(1_000);
            assertEquals(503, app.get("/readyz").statusCode(), "not ready while Redis is out");
            recovery.run();
            long backAt = load.now();
            Thread.sleep(1_000);
            List<Answer> answers = load.stop();
            assertOutageBehaviour(answers, faultAt, backAt);
            return new Outage(countOf(answers, 200),
                    (long) MetricsScrape.value(app, "hitcounter_views_uncertain_total"), redis.valueOf("views"));
        }
    }

    @Test
    void appStartsWhileRedisIsDownAndBecomesReadyWhenItArrives() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            redis.stop();
            try (RunningApp app = RunningApp.withRedis(redis)) {
                assertEquals(503, app.get("/readyz").statusCode());
                long sent = System.nanoTime();
                assertEquals(503, app.get("/").statusCode());
                assertTrue(System.nanoTime() - sent < ANSWER_BOUND.toNanos(), "a refused connection answers at once");

                redis.restart();
                long back = System.nanoTime();
                while (app.get("/readyz").statusCode() != 200) {
                    assertTrue(System.nanoTime() - back < RECOVERY_BOUND.toNanos(), "ready within 1 s of Redis");
                    Thread.sleep(10);
                }
                while (app.get("/").statusCode() != 200) {
                    assertTrue(System.nanoTime() - back < RECOVERY_BOUND.toNanos(), "serving within 1 s of Redis");
                    Thread.sleep(10);
                }
                assertEquals(2, app.view());
            }
        }
    }

    @Test
    void outageIsLoggedOnceWhenItStartsAndOnceWhenItEnds() throws Exception {
        List<String> lines;
        try (LogLines log = LogLines.of(RedisOutage.class.getName())) {
            watchAnOutage();
            lines = log.lines();
        }
        assertEquals(2, lines.size(), "one line when the outage starts, one when it ends: " + lines);
        assertTrue(lines.get(0).startsWith("WARNING Redis at redis://127.0.0.1:"), lines.get(0));
        assertTrue(lines.get(1).startsWith("INFO Redis at redis://127.0.0.1:") && lines.get(1).contains(" is back after "),
                lines.get(1));
    }

    private static void watchAnOutage() throws InterruptedException {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url()))) {
            app.view();
            redis.stop();
            for (int i = 0; i < 50; i++) {
                app.get("/");
            }
            redis.restart();
            long back = System.nanoTime();
            while (app.get("/").statusCode() != 200 && System.nanoTime() - back < 2_000_000_000L) {
                Thread.sleep(10);
            }
            for (int i = 0; i < 20; i++) {
                app.view();
            }
        }
    }

    /** Answers during the outage are quick, 200s carry distinct counts, and 200s come back within 1 s. */
    private static void assertOutageBehaviour(List<Answer> answers, long outageStart, long outageEnd) {
        Set<Long> counts = new HashSet<>();
        long firstOkAfterEnd = Long.MAX_VALUE;
        for (Answer answer : answers) {
            assertTrue(answer.status() == 200 || answer.status() == 503, "only 200 or 503: " + answer);
            if (answer.status() == 200) {
                assertTrue(counts.add(answer.count()), "count " + answer.count() + " shown twice");
                if (answer.atNanos() >= outageEnd) {
                    firstOkAfterEnd = Math.min(firstOkAfterEnd, answer.atNanos() + answer.tookNanos());
                }
            }
        }
        assertTrue(countOf(answers, 503) > 0, "the outage was seen");
        long[] took = answers.stream()
                .filter(answer -> answer.atNanos() >= outageStart && answer.atNanos() < outageEnd)
                .mapToLong(Answer::tookNanos).sorted().toArray();
        long p95 = took[(int) (took.length * 0.95)];
        long slowest = took[took.length - 1];
        long recovery = firstOkAfterEnd - outageEnd;
        System.out.printf("outage: %d answers 200, %d answers 503; during it p95 %d ms, slowest %d ms; "
                        + "first 200 %d ms after Redis was back%n", countOf(answers, 200), countOf(answers, 503),
                p95 / 1_000_000, slowest / 1_000_000, recovery / 1_000_000);
        assertTrue(p95 <= TYPICAL_BOUND.toNanos(), "95 % of the answers during the outage within "
                + TYPICAL_BOUND.toMillis() + " ms, p95 " + p95 / 1_000_000 + " ms");
        assertTrue(slowest <= ANSWER_BOUND.toNanos(), "every answer during the outage within "
                + ANSWER_BOUND.toMillis() + " ms, slowest " + slowest / 1_000_000 + " ms");
        assertTrue(recovery <= RECOVERY_BOUND.toNanos(),
                "200 again within 1 s of Redis being back, took " + recovery / 1_000_000 + " ms");
    }

    private static long countOf(List<Answer> answers, int status) {
        return answers.stream().filter(answer -> answer.status() == status).count();
    }
}
