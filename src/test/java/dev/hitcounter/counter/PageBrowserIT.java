package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** The page in a real headless Chromium: Debian's chromium driven through its own chromedriver. */
class PageBrowserIT {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    private RedisServerProcess redis;
    private RunningApp app;
    private ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        // Fail, never skip: this test is asked for only where a browser must be checked.
        assertTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "the browser test needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver");
        redis = RedisServerProcess.start();
        app = RunningApp.withRedis(redis);
        Path profile = Files.createTempDirectory("chromium-profile");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
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
