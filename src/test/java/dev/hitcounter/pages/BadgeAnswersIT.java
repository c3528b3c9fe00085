package dev.hitcounter.pages;

import static dev.hitcounter.pages.PageRequests.badge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * A badge that cannot show a count is still an SVG, which an {@code <img>} shows, saying why, with the status that
 * says it too (issue 21 item 13): a page not counted, a bad option, Redis down. The browser's view of them is in
 * {@link BadgeBrowserIT}.
 */
class BadgeAnswersIT {

    @Test
    void aPageThatIsNotCountedIsAnSvgSayingSo() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp listed = RunningApp.start(Map.of("REDIS_URL", redis.url(), "PAGES", "home"))) {
            assertBadge(badge(listed, "elsewhere", ""), 404, "views: not counted");
            assertBadge(badge(listed, "elsewhere", "count=false"), 404, "views: not counted");
            assertBadge(badge(listed, "%3Cscript%3E", ""), 400, "views: not counted");
            assertBadge(badge(listed, "a:b", "value=uniques-today"), 400, "views: not counted");
            assertEquals(200, badge(listed, "home", "").statusCode());
            assertFalse(redis.client().exists("page:elsewhere"));
        }
    }

    @Test
    void aNewPageOverMaxPagesIsAnSvgSayingItIsNotCounted() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "MAX_PAGES", "1"))) {
            assertEquals(200, badge(app, "first", "").statusCode());
            assertBadge(badge(app, "second", ""), 404, "views: not counted");
            assertFalse(redis.client().exists("page:second"));
        }
    }

    @Test
    void aBadOptionIsAnSvgSayingSoAndEchoesNothing() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            for (String query : new String[] {"color=%3Cscript%3E", "style=plastic", "count=no", "value=x",
                    "label=", "label=a%0Ab"}) {
                HttpResponse<String> response = badge(app, "home", query);
                assertBadge(response, 400, "badge: bad option");
                assertFalse(response.body().contains("script") || response.body().contains("plastic"),
                        query + ": " + response.body());
            }
            assertFalse(redis.client().exists("page:home"), "nothing counted");
        }
    }

    @Test
    void redisDownIsAn503SvgWithRetryAfterInTheBadgesOwnLabel() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            assertEquals(200, badge(app, "home", "").statusCode());
            redis.stop();
            for (String[] asked : new String[][] {{"", "views"}, {"count=false", "views"},
                    {"value=uniques-7d", "visitors this week"}, {"label=hits&color=green", "hits"}}) {
                HttpResponse<String> response = badge(app, "home", asked[0]);
                assertBadge(response, 503, asked[1] + ": unavailable");
                assertEquals("1", response.headers().firstValue("Retry-After").orElse(""), asked[0]);
            }
        }
    }

    /** An SVG badge, never cached, with this status and this text ({@code label: value}). */
    private static void assertBadge(HttpResponse<String> response, int status, String text) {
        String what = response.uri() + ": " + response.body();
        assertEquals(status, response.statusCode(), what);
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("image/svg+xml"), what);
        assertTrue(response.headers().firstValue("Cache-Control").orElse("").contains("no-store"), what);
        assertTrue(response.body().startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), what);
        assertTrue(response.body().contains("aria-label=\"" + text + "\""), what);
        assertTrue(response.body().contains("<title>" + text + "</title>"), what);
    }
}
