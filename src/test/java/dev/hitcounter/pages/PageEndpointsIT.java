package dev.hitcounter.pages;

import static dev.hitcounter.pages.PageRequests.badge;
import static dev.hitcounter.pages.PageRequests.badgeViews;
import static dev.hitcounter.pages.PageRequests.jsonViews;
import static dev.hitcounter.pages.PageRequests.post;
import static dev.hitcounter.pages.PageRequests.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The badge and the page API on embedded Tomcat against a real Redis (issue 12): each counts and reads right, under
 * concurrency too, with the headers that keep the count from being cached, and {@code GET /} stays as it was.
 */
class PageEndpointsIT {

    private static RedisServerProcess redis;
    private static RunningApp app;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "CORS_ORIGINS", "https://blog.example.com"));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void emptyRedis() {
        redis.client().flushAll();
    }

    @Test
    void postCountsOneViewAndAnswersThePagesNewCount() {
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> response = post(app, "home");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("application/json;charset=UTF-8",
                    response.headers().firstValue("Content-Type").orElse("").replace(" ", ""));
            assertEquals("{\"page\":\"home\",\"views\":" + i + "}", response.body().strip());
        }
        assertEquals("3", redis.client().get("page:home"));
        assertEquals(Set.of("home"), redis.client().smembers("page:known:pages"));
    }

    @Test
    void getReadsTheCountsWithoutCounting() {
        HttpResponse<String> never = read(app, "blog.first-post");
        assertEquals(200, never.statusCode(), never.body());
        assertEquals(0, jsonViews(never.body()));
        assertTrue(never.body().startsWith("{\"page\":\"blog.first-post\",\"views\":0"), never.body());
        assertFalse(redis.client().exists("page:blog.first-post"), "reading creates no key");

        post(app, "blog.first-post");
        post(app, "blog.first-post");
        for (int i = 0; i < 3; i++) {
            assertEquals(2, jsonViews(read(app, "blog.first-post").body()));
        }
        assertEquals("2", redis.client().get("page:blog.first-post"));
    }

    @Test
    void badgeCountsAndShowsTheCountUnlessCountIsFalse() {
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> response = badge(app, "readme", "");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(i, badgeViews(response.body()));
        }
        HttpResponse<String> shown = badge(app, "readme", "count=false");
        assertEquals(200, shown.statusCode());
        assertEquals(3, badgeViews(shown.body()));
        assertEquals(3, badgeViews(badge(app, "readme", "count=false&style=flat-square&color=ff69b4").body()));
        assertEquals("3", redis.client().get("page:readme"));
        assertEquals(4, jsonViews(post(app, "readme").body()), "badge and API count the same page");
        assertEquals(5, badgeViews(badge(app, "readme", "count=true").body()));

        badge(app, "big", "");
        redis.client().set("page:big", "1233");
        assertTrue(badge(app, "big", "").body().contains(">1,234</text>"), "thousands get a comma");
    }

    @Test
    void badgeQueryChangesItsLook() {
        String svg = badge(app, "look", "label=hits&color=green&style=flat-square").body();
        assertTrue(svg.contains(">hits</text>"), svg);
        assertTrue(svg.contains("fill=\"#97ca00\""), svg);
        assertTrue(svg.contains("shape-rendering=\"crispEdges\""), "flat-square: " + svg);
        String flat = badge(app, "look", "color=%23ABC").body();
        assertTrue(flat.contains("fill=\"#abc\""), flat);
        assertTrue(flat.contains("clip-path"), "flat: " + flat);
    }

    @Test
    void headDoesNotCountABadge() {
        assertEquals(1, badgeViews(badge(app, "headed", "").body()));
        HttpResponse<String> head = PageRequests.method(app, "HEAD", "/badge/headed.svg");
        assertEquals(200, head.statusCode());
        assertTrue(head.headers().firstValue("Content-Type").orElse("").startsWith("image/svg+xml"));
        assertEquals("1", redis.client().get("page:headed"), "HEAD is safe: it counts nothing, as HEAD / does");
    }

    @Test
    void badgeIsNeverCachedByBrowsersOrImageProxies() {
        for (String query : List.of("", "count=false", "value=uniques-today")) {
            HttpResponse<String> response = badge(app, "cached", query);
            assertEquals(200, response.statusCode(), query);
            var headers = response.headers();
            assertTrue(headers.firstValue("Content-Type").orElse("").startsWith("image/svg+xml"), query);
            List<String> cacheControl = List.of(headers.firstValue("Cache-Control").orElse("").split(",\\s*"));
            assertTrue(cacheControl.contains("no-cache") && cacheControl.contains("no-store"),
                    "Cache-Control: " + cacheControl);
            Instant expires = ZonedDateTime.parse(headers.firstValue("Expires").orElseThrow(),
                    DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            assertTrue(expires.isBefore(Instant.now()), "Expires in the past: " + expires);
            assertFalse(headers.firstValue("ETag").isPresent(), "no validator to revalidate against");
            assertFalse(headers.firstValue("Last-Modified").isPresent(), "no validator to revalidate against");
            assertTrue(response.body().startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), response.body());
        }
    }

    @Test
    void pageCountsLeaveTheHomePageItsKeyAndItsTextExactlyAsTheyWere() {
        HttpResponse<String> first = app.get("/");
        assertEquals(200, first.statusCode());
        assertEquals(1, RunningApp.countIn(first.body()));
        for (int i = 0; i < 20; i++) {
            post(app, "views");
            badge(app, "views", "");
            post(app, "home");
        }
        HttpResponse<String> second = app.get("/");
        assertEquals(first.body().replace("seen 1 times.", "seen 2 times."), second.body(),
                "the page's text is what it was, one view on");
        assertEquals("2", redis.client().get("views"));
        assertEquals("40", redis.client().get("page:views"), "a page called views is not the key views");
        assertEquals("20", redis.client().get("page:home"));
        assertEquals(Set.of("views", "page:views", "page:home", "page:known:pages"), redis.client().keys("*")
                .stream().filter(key -> !key.startsWith("page:uniques:") && !key.startsWith("page:days:"))
                .collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void concurrentViewsOfThreePagesGetDistinctCountsAndRedisHoldsTheNumberOf200s() throws Exception {
        int clients = 16;
        int each = 200;
        List<String> pages = List.of("alpha", "beta", "gamma");
        Map<String, ConcurrentLinkedQueue<Long>> counts = new ConcurrentHashMap<>();
        pages.forEach(page -> counts.put(page, new ConcurrentLinkedQueue<>()));
        ConcurrentLinkedQueue<Integer> others = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(threads.submit(() -> {
                for (int i = 0; i < each; i++) {
                    String page = pages.get((client + i) % pages.size());
                    boolean viaBadge = (client + i) % 2 == 0;
                    HttpResponse<String> response = viaBadge ? badge(app, page, "") : post(app, page);
                    if (response.statusCode() == 200) {
                        counts.get(page).add(viaBadge ? badgeViews(response.body()) : jsonViews(response.body()));
                    } else {
                        others.add(response.statusCode());
                    }
                }
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        threads.shutdown();
        assertTrue(others.isEmpty(), "every view was answered 200: " + others);
        long total = 0;
        for (String page : pages) {
            List<Long> shown = new ArrayList<>(counts.get(page));
            Set<Long> distinct = new HashSet<>(shown);
            assertEquals(shown.size(), distinct.size(), page + ": every 200 carries its own count");
            assertEquals(shown.size(), redis.valueOf("page:" + page), page + ": Redis holds the number of 200s");
            assertEquals(shown.size(), distinct.stream().mapToLong(Long::longValue).max().orElse(0),
                    page + ": the counts are 1 … n");
            total += shown.size();
        }
        assertEquals((long) clients * each, total);
        assertFalse(redis.client().exists("views"), "no page view touched the key of GET /");
        System.out.printf("pages under load: %d views of 3 pages from %d clients, all 200 with distinct counts%n",
                total, clients);
    }

    @Test
    void corsEchoesAnAllowedOriginAndNoOther() {
        HttpResponse<String> allowed = post(app, "cors", "Origin", "https://blog.example.com");
        assertEquals(200, allowed.statusCode());
        assertEquals("https://blog.example.com",
                allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
        assertTrue(allowed.headers().allValues("Vary").stream().anyMatch(vary -> vary.contains("Origin")),
                "Vary: " + allowed.headers().allValues("Vary"));

        HttpResponse<String> readAllowed = read(app, "cors", "Origin", "https://blog.example.com");
        assertEquals("https://blog.example.com",
                readAllowed.headers().firstValue("Access-Control-Allow-Origin").orElse(""));

        for (String origin : List.of("https://evil.example.com", "https://blog.example.com.evil.net",
                "http://blog.example.com", "null")) {
            HttpResponse<String> other = post(app, "cors", "Origin", origin);
            assertEquals(200, other.statusCode(), "counted, but the script may not read it: " + origin);
            assertFalse(other.headers().firstValue("Access-Control-Allow-Origin").isPresent(), origin);
            assertTrue(other.headers().allValues("Vary").stream().anyMatch(vary -> vary.contains("Origin")), origin);
        }
        HttpResponse<String> noOrigin = read(app, "cors");
        assertFalse(noOrigin.headers().firstValue("Access-Control-Allow-Origin").isPresent());
    }

    @Test
    void preflightIs204AndGrantsOnlyAnAllowedOrigin() {
        for (String path : List.of("/api/pages/cors/views", "/api/pages/cors")) {
            HttpResponse<String> allowed = app.send(java.net.http.HttpRequest.newBuilder(app.uri(path))
                    .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://blog.example.com")
                    .header("Access-Control-Request-Method", "POST"));
            assertEquals(204, allowed.statusCode(), path);
            assertEquals("https://blog.example.com",
                    allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(""), path);
            assertTrue(allowed.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"),
                    path);
            assertTrue(allowed.headers().allValues("Vary").stream().anyMatch(vary -> vary.contains("Origin")), path);

            HttpResponse<String> other = app.send(java.net.http.HttpRequest.newBuilder(app.uri(path))
                    .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://evil.example.com")
                    .header("Access-Control-Request-Method", "POST"));
            assertEquals(204, other.statusCode(), path);
            assertFalse(other.headers().firstValue("Access-Control-Allow-Origin").isPresent(), path);
            assertFalse(other.headers().firstValue("Access-Control-Allow-Methods").isPresent(), path);
        }
        assertFalse(redis.client().exists("page:cors"), "a preflight counts nothing");
    }
}
