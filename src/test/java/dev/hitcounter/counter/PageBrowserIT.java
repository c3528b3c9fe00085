package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;


import dev.hitcounter.testing.HeadlessChromium;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/** The page in a real headless Chromium: Debian's chromium driven through its own chromedriver. */
class PageBrowserIT {


    private RedisServerProcess redis;
    private RunningApp app;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServerProcess.start();
        app = RunningApp.withRedis(redis);
        browser = HeadlessChromium.start();
    }

    @AfterEach
    void stop() {
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
    void reloadShowsTheNextCount() {
        browser.get(app.uri("/").toString());
        String first = browser.findElement(By.tagName("body")).getText();
        long count = RunningApp.countIn(first);
        assertEquals("Hello! This page has been seen " + count + " times.", first);
        assertEquals("Hit counter", browser.getTitle());

        browser.navigate().refresh();
        String second = browser.findElement(By.tagName("body")).getText();
        assertEquals("Hello! This page has been seen " + (count + 1) + " times.", second);
        assertEquals(count + 1, redis.valueOf("views"));
    }
}
