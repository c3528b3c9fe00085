package dev.hitcounter.pages;

import static dev.hitcounter.pages.PageRequests.badge;
import static dev.hitcounter.pages.PageRequests.jsonViews;
import static dev.hitcounter.pages.PageRequests.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import dev.hitcounter.testing.MetricsScrape;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * {@code REDIS_WAIT_REPLICAS} holds for the views of pages as for {@code GET /} (issue 21 item 4): a real primary and
 * replica, the replica frozen with SIGSTOP.
 */
class PageWaitReplicasIT {

    @Test
    void withTheReplicaFrozenAPageViewIsAnswered503AsGetSlashIsAnd200OnceItThaws() throws Exception {
        try (RedisServerProcess primary = RedisServerProcess.start();
             RedisServerProcess replica = RedisServerProcess.start("--save", "", "--appendonly", "no",
                     "--replicaof", "127.0.0.1", String.valueOf(primary.port()));
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", primary.url(), "REDIS_WAIT_REPLICAS", "1"))) {
            awaitLinked(replica);
            HttpResponse<String> first = post(app, "home");
            assertEquals(200, first.statusCode(), first.body());
            assertEquals(1, jsonViews(first.body()));

            replica.pause();
            try {
                HttpResponse<String> view = post(app, "home");
                assertEquals(503, view.statusCode(), "a view no replica acknowledged: " + view.body());
                assertTrue(view.headers().firstValue("Retry-After").isPresent(), "Retry-After on the 503");
                assertEquals(503, badge(app, "home", "").statusCode(), "a counted badge likewise");
                assertEquals(503, app.get("/").statusCode(), "as GET / does");
            } finally {
                replica.resume();
            }
            assertEquals(3, primary.valueOf("page:home"), "the two 503s were counted in the primary, not certain");
            assertTrue(MetricsScrape.value(app, "hitcounter_views_uncertain_total") >= 2,
                    "each is an uncertain view in the metrics");

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            HttpResponse<String> after = post(app, "home");
            while (after.statusCode() != 200 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                after = post(app, "home");
            }
            assertEquals(200, after.statusCode(), "once the replica is back: " + after.body());
            assertEquals(primary.valueOf("page:home"), jsonViews(after.body()));
        }
    }

    private static void awaitLinked(RedisServerProcess replica) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!replica.client().info("replication").contains("master_link_status:up")) {
            assertTrue(System.nanoTime() < deadline, "the replica did not link to the primary");
            Thread.sleep(20);
        }
    }
}
