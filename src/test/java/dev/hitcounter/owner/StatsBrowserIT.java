package dev.hitcounter.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import dev.hitcounter.testing.HeadlessChromium;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The stats page in Chromium (issue 24 part 2): for seeded days the charts have one bar per day with heights in
 * proportion, the sort links reorder the table without any script, and the page's screenshot is docs/stats.png.
 */
class StatsBrowserIT {

    private static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    /** Views of home by days ago; the most in the last 30 days is 20, in the last 90 it is 40. */
    private static final Map<Integer, Integer> HOME_DAYS = Map.of(0, 10, 1, 4, 5, 5, 29, 20, 60, 40, 89, 8);

    private static RedisServerProcess redis;
    private static RunningApp app;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "STATS_VISIBILITY", "public"));
        seed("home", 1_234, HOME_DAYS);
        seed("blog.first-post", 310, Map.of(0, 2, 3, 30));
        seed("about", 57, Map.of(0, 12));
        redis.client().pfadd("page:uniques:home:" + TODAY, "a", "b", "c");
        browser = HeadlessChromium.start();
        browser.manage().window().setSize(new Dimension(1000, 1100));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void theChartsHaveOneBarPerDayWithHeightsInProportionToTheViews() throws IOException {
        browser.get(app.uri("/stats?page=home").toString());
        assertChart("chart-30", 30, 20);
        assertChart("chart-90", 90, 40);
        List<WebElement> numbers = browser.findElements(By.cssSelector("#days-30 tbody tr"));
        assertEquals(30, numbers.size());
        assertEquals(List.of(TODAY.toString(), "10", "0"), cells(numbers.get(29)));
        assertEquals(List.of(TODAY.minusDays(29).toString(), "20", "0"), cells(numbers.get(0)));

        Path docs = Path.of("docs");
        Files.createDirectories(docs);
        Files.write(docs.resolve("stats.png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void theHeadersLinksSortTheTableWithoutScript() {
        browser.get(app.uri("/stats").toString());
        assertEquals(List.of("home", "blog.first-post", "about"), column(0), "by total by default");
        browser.findElement(By.linkText("Today")).click();
        assertEquals(List.of("about", "home", "blog.first-post"), column(0));
        browser.findElement(By.linkText("Last 7 days")).click();
        assertEquals(List.of("blog.first-post", "home", "about"), column(0));
        assertEquals(List.of("32", "19", "12"), column(3));
        browser.findElement(By.linkText("Page")).click();
        assertEquals(List.of("about", "blog.first-post", "home"), column(0));
        assertEquals(List.of("0", "0", "3"), column(4), "unique visitors");
        browser.findElement(By.linkText("blog.first-post")).click();
        assertTrue(browser.getCurrentUrl().endsWith("/stats?sort=page&page=blog.first-post"), browser.getCurrentUrl());
        assertEquals(30, browser.findElements(By.cssSelector("#chart-30 rect.bar")).size());
    }

    private static void assertChart(String id, int bars, int most) {
        List<WebElement> rects = browser.findElements(By.cssSelector("#" + id + " rect.bar"));
        assertEquals(bars, rects.size(), id);
        for (int i = 0; i < bars; i++) {
            int daysAgo = bars - 1 - i;
            int views = HOME_DAYS.getOrDefault(daysAgo, 0);
            double expected = (double) StatsPage.CHART_HEIGHT * views / most;
            int shown = rects.get(i).getRect().getHeight();
            assertTrue(Math.abs(shown - expected) <= 1.0, id + " bar of " + TODAY.minusDays(daysAgo) + ": " + shown
                    + " px for " + views + " views, expected " + expected);
        }
    }

    private static List<String> column(int index) {
        return browser.findElements(By.cssSelector("#pages tbody tr")).stream()
                .map(row -> row.findElements(By.tagName("td")).get(index).getText()).toList();
    }

    private static List<String> cells(WebElement row) {
        // In a closed <details> the cells have no visible text: read their content.
        return row.findElements(By.tagName("td")).stream().map(cell -> cell.getDomProperty("textContent")).toList();
    }

    private static void seed(String page, long total, Map<Integer, Integer> days) {
        redis.client().sadd("page:known:pages", page);
        redis.client().set("page:" + page, Long.toString(total));
        days.forEach((ago, views) -> redis.client().hset("page:days:" + page + ":" + TODAY.minusDays(ago),
                "views", Integer.toString(views)));
    }
}
