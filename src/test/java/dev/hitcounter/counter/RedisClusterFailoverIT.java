package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.hitcounter.testing.Load;
import dev.hitcounter.testing.RedisClusterProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * Failover under load: SIGKILL of the primary that holds {@code views} while 16 clients count; its replica takes over
 * (cluster-node-timeout 1000 ms), the app answers 503 meanwhile and no 500, counts again within 5 s, and no answer
 * takes over 1 s. Views answered 200 but lost with the primary (replication is asynchronous) are written down.
 */
class RedisClusterFailoverIT {

    private static final long FIRST_200_BOUND_MILLIS = 5_000;
    private static final long SLOWEST_BOUND_MILLIS = 1_000;

    @Test
    void killingThePrimaryOfViewsCostsSeconds() throws Exception {
        try (RedisClusterProcess cluster = RedisClusterProcess.start();
                RunningApp app = RunningApp.start(Map.of("REDIS_URL", cluster.seedUrl(), "REDIS_CLUSTER", "true"))) {
            assertEquals(200, app.get("/").statusCode());
            int slot = cluster.slotOf("views");
            long before = cluster.valueOf("views");
            List<Load.Answer> answers;
            long killedAt;
            try (Load load = Load.start(app.uri("/"), 16)) {
                Thread.sleep(1_000);
                int primary = cluster.primaryOf(slot);
                killedAt = load.now();
                cluster.kill(primary);
                cluster.awaitPrimaryFor(slot, Duration.ofSeconds(15));
                Thread.sleep(2_000);
                answers = load.stop();
            }
            long after = cluster.valueOf("views");
            long ok = answers.stream().filter(answer -> answer.status() == 200).count();
            long unavailable = answers.stream().filter(answer -> answer.status() == 503).count();
            long first200 = answers.stream().filter(answer -> answer.status() == 200 && answer.atNanos() > killedAt)
                    .mapToLong(answer -> answer.atNanos() + answer.tookNanos() - killedAt).min().orElse(Long.MAX_VALUE);
            long slowest = answers.stream().mapToLong(Load.Answer::tookNanos).max().orElse(0);
            Set<Long> counts = new HashSet<>();
            long repeated = answers.stream().filter(answer -> answer.status() == 200)
                    .filter(answer -> !counts.add(answer.count())).count();
            long lost = Math.max(0, ok - (after - before));
            System.out.printf("cluster failover under load: %d answered 200, %d answered 503; first 200 after the kill "
                    + "%d ms after it; slowest answer %d ms; views answered 200 but missing afterwards: %d "
                    + "(counts answered twice: %d)%n", ok, unavailable, first200 / 1_000_000, slowest / 1_000_000,
                    lost, repeated);
            assertTrue(answers.stream().allMatch(answer -> answer.status() == 200 || answer.status() == 503),
                    "only 200 and 503");
            assertTrue(first200 <= FIRST_200_BOUND_MILLIS * 1_000_000, "first 200 after the kill within 5 s: "
                    + first200 / 1_000_000 + " ms");
            assertTrue(slowest <= SLOWEST_BOUND_MILLIS * 1_000_000, "slowest answer within 1 s: "
                    + slowest / 1_000_000 + " ms");
            assertTrue(after - before <= ok, "nothing counted twice: grew by " + (after - before) + " for " + ok
                    + " views answered 200");
        }
    }
}
