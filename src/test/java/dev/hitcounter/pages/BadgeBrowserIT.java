package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import dev.hitcounter.testing.HeadlessChromium;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The badge in a real headless Chromium (Debian's chromium and chromedriver, with DejaVu Sans installed): its text is
 * laid out inside its part of the badge for short, long and accented labels in every style, it reads what was asked,
 * and its count moves on reload only when it counts. One browser, app and Redis serve every test; each test
 * counts its own pages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadgeBrowserIT {


    /** Sixty of the widest Latin capitals: the label most likely to overflow a badge measured too narrowly. */
    private static final String WIDE = "MW".repeat(30);

    private static final String ACCENTED = "Ça déjà vu: Ångström, Zürich, naïve façade, résumé ÉÈÊ ñ";

    /**
     * For each {@code <text>}: where Chromium laid it out, the background {@code <rect>} under its centre, and its
     * width without {@code textLength} (the browser's own measure of the text in the font it picked).
     */
    private static final String LAYOUT = """
            const svg = document.documentElement;
            const rects = Array.from(svg.querySelectorAll('g > rect'))
                .filter(r => !r.getAttribute('fill').startsWith('url('));
            return Array.from(svg.querySelectorAll('text')).map(t => {
              const box = t.getBBox();
              const centre = t.x.baseVal.getItem(0).value;
              const rect = rects.find(r => r.x.baseVal.value <= centre
                  && centre < r.x.baseVal.value + r.width.baseVal.value);
              const natural = t.cloneNode(true);
              natural.removeAttribute('textLength');
              t.parentNode.appendChild(natural);
              const naturalLength = natural.getComputedTextLength();
              natural.remove();
              return {
                text: t.textContent,
                shadow: t.getAttribute('aria-hidden') === 'true',
                left: box.x, right: box.x + box.width, top: box.y, bottom: box.y + box.height,
                rectLeft: rect.x.baseVal.value, rectRight: rect.x.baseVal.value + rect.width.baseVal.value,
                svgWidth: svg.width.baseVal.value, svgHeight: svg.height.baseVal.value,
                reserved: t.textLength.baseVal.value, natural: naturalLength,
                rendered: t.getComputedTextLength()
              };
            });
            """;

    private static final Pattern VIEWS = Pattern.compile("\"views\":(\\d+)");

    /** How each style sizes its text: the room it leaves on each side and its letter spacing. */
    private final Badge badges = Badge.dejaVuSans();

    private RedisServerProcess redis;
    private RunningApp app;
    private ChromeDriver browser;
    /** Another site, as a README's host is, serving the page of {@link #pageWithImages}. */
    private HttpServer site;
    private volatile String siteHtml = "";
    private final AtomicInteger sitePages = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        assertTrue(Files.isReadable(DejaVuSansAdvances.FONT),
                "the badge is measured in DejaVu Sans, which is missing: apt-get install fonts-dejavu-core");
        redis = RedisServerProcess.start();
        // Headless Chromium's User-Agent says HeadlessChrome, a bot's in crawler-user-agents (issue 24 part 5).
        app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "COUNT_BOTS", "true"));
        browser = HeadlessChromium.start();
        site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        site.createContext("/", exchange -> {
            byte[] body = siteHtml.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        site.start();
    }

    @AfterAll
    void stop() {
        if (site != null) {
            site.stop(0);
        }
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

    static Stream<Arguments> labelsAndStyles() {
        return Stream.of("views", WIDE, ACCENTED)
                .flatMap(label -> Stream.of(BadgeStyle.values()).map(style -> Arguments.of(label, style)));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("labelsAndStyles")
    void textFitsInsideItsPartAndReadsWhatWasAsked(String label, BadgeStyle style) {
        String page = "layout-" + style.parameter() + "-" + label.length();
        browser.get(badgeUri(page, label, style, true));

        List<Map<String, Object>> texts = layout();
        int perPart = style == BadgeStyle.FLAT ? 2 : 1;
        assertEquals(2 * perPart, texts.size(), "a shadow for each text in flat, none in the others");
        BadgeMetrics metrics = badges.metrics(style);
        String shown = metrics.shown(label);
        for (int i = 0; i < texts.size(); i++) {
            Map<String, Object> text = texts.get(i);
            assertEquals(i < perPart ? shown : "1", text.get("text"), "what the badge reads");
            String where = text.get("text") + (Boolean.TRUE.equals(text.get("shadow")) ? " (shadow)" : "") + ": " + text;
            int padding = metrics.padding();
            assertTrue(number(text, "left") >= number(text, "rectLeft") + padding - 1, "clipped left, " + where);
            assertTrue(number(text, "right") <= number(text, "rectRight") - padding + 1, "clipped right, " + where);
            assertTrue(number(text, "left") >= 0 && number(text, "right") <= number(text, "svgWidth"),
                    "outside the badge, " + where);
            assertTrue(number(text, "top") >= 0 && number(text, "bottom") <= number(text, "svgHeight"),
                    "above or below the badge, " + where);
            // The browser's own width of the text in the font it chose, without textLength, plus the style's letter
            // spacing: the room the badge makes comes from that font's metrics, so neither squeezes nor visibly
            // spreads the text more than the style does.
            String drawn = (String) text.get("text");
            double natural = number(text, "natural")
                    + drawn.codePointCount(0, drawn.length()) * metrics.letterSpacingHundredths() / 100.0;
            double reserved = number(text, "reserved");
            assertTrue(natural <= reserved + 0.5 && natural >= reserved * 0.97,
                    "Chromium's width " + natural + " px is not the reserved " + reserved + " px, " + where);
        }
        String title = (String) browser.executeScript("return document.querySelector('title').textContent;");
        assertEquals(shown + ": 1", title);
        assertEquals(shown + ": 1", browser.executeScript(
                "return document.documentElement.getAttribute('aria-label');"));
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("labelsAndStyles")
    void imageOnAPageIsDecodedAtTheBadgesSize(String label, BadgeStyle style) {
        String page = "img-" + style.parameter() + "-" + label.length();
        String src = badgeUri(page, label, style, false);
        browser.get(src);
        double width = number(layout().get(0), "svgWidth");

        browser.get(pageWithImages(src));
        @SuppressWarnings("unchecked")
        Map<String, Object> image = (Map<String, Object>) browser.executeScript(
                "const img = document.images[0];"
                        + " return {complete: img.complete, width: img.naturalWidth, height: img.naturalHeight,"
                        + " alt: img.alt};");
        assertEquals(true, image.get("complete"));
        assertEquals(width, number(image, "width"), 0.0, "the image is as wide as the SVG says: " + image);
        assertEquals(style.height(), number(image, "height"), 0.0);
    }

    @Test
    void reloadingTheBadgeShowsTheNextCount() {
        String counting = badgeUri("reloaded", "views", BadgeStyle.FLAT, true);
        browser.get(counting);
        assertEquals("1", shownValue());
        browser.navigate().refresh();
        assertEquals("2", shownValue());
        assertEquals(2, storedViews("reloaded"));

        String showing = badgeUri("reloaded", "views", BadgeStyle.FLAT_SQUARE, false);
        browser.get(showing);
        assertEquals("2", shownValue());
        browser.navigate().refresh();
        assertEquals("2", shownValue());
        assertEquals(2, storedViews("reloaded"));
    }

    @Test
    void reloadingAPageWithTheBadgeCountsOnlyTheCountingImage() {
        String counting = badgeUri("embedded", "views", BadgeStyle.FLAT, true);
        String showing = badgeUri("embedded", "views", BadgeStyle.FLAT, false);
        browser.get(pageWithImages(counting, showing));
        assertEquals(1, storedViews("embedded"));
        browser.navigate().refresh();
        assertEquals(2, storedViews("embedded"));
        browser.navigate().refresh();
        assertEquals(3, storedViews("embedded"));

        browser.get(pageWithImages(showing, showing));
        browser.navigate().refresh();
        assertEquals(3, storedViews("embedded"));
    }

    /**
     * A badge that cannot show a count is still an image in a page, saying why (issue 21 item 13): a bad page name or
     * option (400), a page outside {@code PAGES} or over {@code MAX_PAGES} (404), Redis down (503).
     */
    @Test
    void aBadgeThatCannotShowACountIsAnImageSayingWhy() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        try (RedisServerProcess own = RedisServerProcess.start();
             RunningApp limited = RunningApp.start(Map.of("REDIS_URL", own.url(), "MAX_PAGES", "1"));
             // A page outside PAGES is refused before Redis is asked, so the app whose Redis is down shows it too.
             RunningApp down = RunningApp.start(Map.of("REDIS_URL", "redis://127.0.0.1:" + deadPort,
                     "PAGES", "home"))) {
            assertEquals(200, limited.get("/badge/first.svg").statusCode());
            Map<String, String> shown = new LinkedHashMap<>();
            shown.put(app.uri("/badge/a:b.svg").toString(), "views: not counted");
            shown.put(app.uri("/badge/ok.svg?style=plastic").toString(), "badge: bad option");
            shown.put(down.uri("/badge/elsewhere.svg").toString(), "views: not counted");
            shown.put(limited.uri("/badge/second.svg").toString(), "views: not counted");
            shown.put(down.uri("/badge/home.svg").toString(), "views: unavailable");
            shown.put(down.uri("/badge/home.svg?value=uniques-today").toString(), "visitors today: unavailable");
            for (Map.Entry<String, String> badge : shown.entrySet()) {
                browser.get(pageWithImages(badge.getKey()));
                @SuppressWarnings("unchecked")
                Map<String, Object> image = (Map<String, Object>) browser.executeScript(
                        "const img = document.images[0];"
                                + " return {complete: img.complete, width: img.naturalWidth,"
                                + " height: img.naturalHeight};");
                assertEquals(true, image.get("complete"), badge.getKey());
                assertTrue(number(image, "width") > 0, "a broken image: " + badge.getKey() + " " + image);
                assertEquals(BadgeStyle.FLAT.height(), number(image, "height"), 0.0, badge.getKey());

                browser.get(badge.getKey());
                assertEquals(badge.getValue(), browser.executeScript(
                        "return document.documentElement.getAttribute('aria-label');"), badge.getKey());
                String[] parts = badge.getValue().split(": ");
                assertEquals(parts[1], shownValue(), badge.getKey());
            }
            assertFalse(own.client().exists("page:second"), "the page over MAX_PAGES is not counted");
        }
    }

    private String badgeUri(String page, String label, BadgeStyle style, boolean count) {
        return app.uri("/badge/" + page + ".svg?label=" + URLEncoder.encode(label, StandardCharsets.UTF_8)
                + "&style=" + style.parameter() + "&count=" + count).toString();
    }

    /**
     * A page of another site embedding the badges with {@code <img>}, as a README does; the browser waits for the
     * images before its navigation returns. (The app's own pages forbid images by their Content-Security-Policy.)
     */
    private String pageWithImages(String... sources) {
        StringBuilder html = new StringBuilder("<!doctype html><title>badges</title>");
        for (String src : sources) {
            html.append("<img alt=\"badge\" src=\"").append(src.replace("&", "&amp;")).append("\">");
        }
        siteHtml = html.toString();
        return "http://127.0.0.1:" + site.getAddress().getPort() + "/readme-" + sitePages.incrementAndGet();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> layout() {
        return (List<Map<String, Object>>) browser.executeScript(LAYOUT);
    }

    /** The value the badge shown as a document reads: its last, unshadowed text. */
    private String shownValue() {
        List<Map<String, Object>> texts = layout();
        return (String) texts.get(texts.size() - 1).get("text");
    }

    private long storedViews(String page) {
        String body = app.get("/api/pages/" + page).body();
        Matcher views = VIEWS.matcher(body.replace(" ", ""));
        assertTrue(views.find(), body);
        return Long.parseLong(views.group(1));
    }

    private static double number(Map<String, Object> map, String key) {
        return ((Number) map.get(key)).doubleValue();
    }
}
