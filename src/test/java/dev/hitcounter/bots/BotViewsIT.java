package dev.hitcounter.bots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import dev.hitcounter.testing.MetricsScrape;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * Views that cannot inflate a count, through the app against a real Redis (issue 24 part 5): a bot's count nothing
 * unless COUNT_BOTS=true, GET / still counts every one, and COUNT_ONCE_PER counts a visitor's repeated views once.
 */
class BotViewsIT {

    private static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private static final String CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            + "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    @Test
    void aBotsViewsOfAPageCountNothingAndAreAMetricWhileGetSlashCountsThem() {
        try (RedisServerProcess redis = RedisServerProcess.start(); RunningApp app = RunningApp.withRedis(redis)) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> badge = get(app, "/badge/home.svg", GOOGLEBOT);
                assertEquals(200, badge.statusCode());
                assertTrue(badge.body().contains("aria-label=\"views: 0\""), badge.body());
                assertEquals(200, post(app, "home", GOOGLEBOT).statusCode());
            }
            assertFalse(redis.client().exists("page:home"), "no page made by a bot");
            assertEquals(10.0, MetricsScrape.value(app, "hitcounter_page_views_not_counted_total{reason=\"bot\"}"));
            assertEquals(0.0, MetricsScrape.value(app, "hitcounter_views_total"), "a bot's view is not a counted view");

            assertTrue(post(app, "home", FIREFOX).body().contains("\"views\":1"));
            HttpResponse<String> botAfter = post(app, "home", GOOGLEBOT);
            assertTrue(botAfter.body().contains("\"views\":1"), "a bot is shown the count: " + botAfter.body());
            assertTrue(post(app, "home", "github-camo (876de43e)").body().contains("\"views\":2"),
                    "GitHub's camo fetches for a person reading a README");
            assertEquals("2", redis.client().get("page:home"));
            assertEquals(2.0, MetricsScrape.value(app, "hitcounter_views_total"), "the two counted views, no bot's");

            assertEquals(200, get(app, "/", GOOGLEBOT).statusCode());
            assertEquals("1", redis.client().get("views"), "GET / counts every view, as the original did");
        }
    }

    @Test
    void withCountBotsTrueABotsViewsCount() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "COUNT_BOTS", "true"))) {
            get(app, "/badge/home.svg", GOOGLEBOT);
            post(app, "home", GOOGLEBOT);
            assertEquals("2", redis.client().get("page:home"));
        }
    }

    @Test
    void withCountOncePerAHundredViewsOfOneVisitorCountOnceAndTwoVisitorsTwo() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "COUNT_ONCE_PER", "30m"))) {
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> view = i % 2 == 0 ? get(app, "/badge/home.svg", FIREFOX) : post(app, "home", FIREFOX);
                assertEquals(200, view.statusCode());
            }
            assertEquals("1", redis.client().get("page:home"));
            assertTrue(post(app, "home", CHROME).body().contains("\"views\":2"));
            assertTrue(post(app, "home", FIREFOX).body().contains("\"views\":2"));
            get(app, "/badge/home.svg", GOOGLEBOT);
            assertEquals("2", redis.client().get("page:home"), "two visitors, and a bot that counts nothing");
            for (String member : redis.client().zrange("page:once:home", 0, -1)) {
                assertFalse(member.contains("127.0.0.1") || member.contains("Firefox"), "nothing in clear");
            }
        }
    }

    private static HttpResponse<String> get(RunningApp app, String path, String userAgent) {
        return app.send(HttpRequest.newBuilder(app.uri(path)).header("User-Agent", userAgent).GET());
    }

    private static HttpResponse<String> post(RunningApp app, String page, String userAgent) {
        return app.send(HttpRequest.newBuilder(app.uri("/api/pages/" + page + "/views")).header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.noBody()));
    }
}
