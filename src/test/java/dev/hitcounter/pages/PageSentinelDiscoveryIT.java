package dev.hitcounter.pages;

import static dev.hitcounter.pages.PageRequests.badge;
import static dev.hitcounter.pages.PageRequests.badgeViews;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * The page endpoints ask the Sentinels for the primary themselves (issue 21 item 9): an app started before its
 * Sentinels counts a badge once they answer, though nothing ever asked for {@code GET /} or {@code /readyz}.
 */
class PageSentinelDiscoveryIT {

    private static final String MASTER = "mymaster";

    @Test
    void aBadgeCountsOnceTheSentinelsAnswerWithoutGetSlashOrReadyz() throws Exception {
        try (RedisServerProcess primary = RedisServerProcess.start();
             RedisServerProcess sentinel = RedisServerProcess.startSentinel(
                     "sentinel monitor " + MASTER + " 127.0.0.1 " + primary.port() + " 1")) {
            // As in Compose or Kubernetes when the app comes up before the Sentinels do.
            sentinel.kill();
            try (RunningApp app = RunningApp.start(Map.of(
                    "REDIS_SENTINELS", "127.0.0.1:" + sentinel.port(), "REDIS_SENTINEL_MASTER", MASTER))) {
                HttpResponse<String> before = badge(app, "home", "");
                assertEquals(503, before.statusCode(), before.body());
                assertTrue(before.body().contains("aria-label=\"views: unavailable\""), before.body());

                sentinel.restart();
                long back = System.nanoTime();
                HttpResponse<String> shown = badge(app, "home", "count=false");
                while (shown.statusCode() != 200) {
                    assertEquals(503, shown.statusCode(), shown.body());
                    assertTrue(System.nanoTime() - back < Duration.ofSeconds(10).toNanos(),
                            "a badge is not 200 ten seconds after the Sentinels came back");
                    Thread.sleep(50);
                    shown = badge(app, "home", "count=false");
                }
                System.out.println("PageSentinelDiscoveryIT: a badge answered 200 " + (System.nanoTime() - back)
                        / 1_000_000 + " ms after the Sentinels came back, with no GET / or /readyz");
                assertEquals(0, badgeViews(shown.body()));
                assertEquals(1, badgeViews(badge(app, "home", "").body()));
                assertEquals(1, primary.valueOf("page:home"));
            }
        }
    }
}
