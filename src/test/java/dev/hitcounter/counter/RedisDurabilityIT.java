package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.hitcounter.testing.Load;
import dev.hitcounter.testing.Load.Answer;
import dev.hitcounter.testing.MetricsScrape;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * What a SIGKILL of Redis under load loses, with the append-only file as Compose runs it
 * ({@code appendfsync everysec}) and with {@code appendfsync always}; the numbers go into
 * docs/operations.md.
 */
class RedisDurabilityIT {

    private static final int CLIENTS = 16;

    @Test
    void everysecLosesAtMostAboutOneSecondOfViews() throws Exception {
        Outcome outcome = killUnderLoad("everysec");
        // Redis documents everysec as losing at most ~1 s of writes, 2 s when an fsync is slow.
        assertTrue(outcome.lost() <= outcome.perSecond() * 2,
                "lost " + outcome.lost() + " views, more than 2 s at " + outcome.perSecond() + "/s");
    }

    @Test
    void alwaysLosesNothing() throws Exception {
        Outcome outcome = killUnderLoad("always");
        assertTrue(outcome.lost() <= 0, "appendfsync always lost " + outcome.lost() + " acknowledged views");
        assertTrue(outcome.persisted() <= outcome.served() + outcome.uncertain(), "nothing counted twice");
    }

    private record Outcome(long served, long uncertain, long persisted, double perSecond) {
        long lost() {
            return served - persisted;
        }
    }

    private static Outcome killUnderLoad(String appendfsync) throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", appendfsync,
                "--save", "");
             RunningApp app = RunningApp.withRedis(redis)) {
            Load load = Load.start(app.uri("/"), CLIENTS);
            Thread.sleep(3_000);
            long killedAt = load.now();
            redis.kill();
            List<Answer> answers = load.stop();
            long served = answers.stream().filter(answer -> answer.status() == 200).count();
            long uncertain = (long) MetricsScrape.value(app, "hitcounter_views_uncertain_total");
            redis.restart();
            long persisted = redis.valueOf("views");
            double perSecond = served / (killedAt / 1e9);
            Outcome outcome = new Outcome(served, uncertain, persisted, perSecond);
            System.out.printf("appendfsync %s: SIGKILL after %d views served (%.0f/s); %d survived the restart; "
                            + "lost %d = %.0f ms of traffic%n", appendfsync, served, perSecond, persisted,
                    outcome.lost(), Math.max(0, outcome.lost()) / perSecond * 1000);
            return outcome;
        }
    }
}
