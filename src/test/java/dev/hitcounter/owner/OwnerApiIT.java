package dev.hitcounter.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.hitcounter.testing.LogLines;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner's API on embedded Tomcat against a real Redis (issue 24 parts 1 and 3): a page's history, and with the
 * admin token its set count and its removal, under concurrent views too.
 */
class OwnerApiIT {

    private static final String TOKEN = "test-admin-token-0123456789";
    private static final Pattern VIEWS = Pattern.compile("\"views\":(\\d+)");

    @TempDir
    static Path dir;
    private static RedisServerProcess redis;
    private static RunningApp app;

    @BeforeAll
    static void start() throws IOException {
        redis = RedisServerProcess.start();
        Path token = Files.writeString(dir.resolve("admin-token"), TOKEN + "\n");
        app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "ADMIN_TOKEN_FILE", token.toString(),
                "MAX_PAGES", "3", "HISTORY_DAYS", "90"));
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
    void historyAnswersEachDayOldestFirstWithTheDaysWithoutViewsAsZero() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post("home").statusCode());
        }
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        redis.client().hset("page:days:home:" + today.minusDays(2), Map.of("views", "7", "uniques", "2"));
        HttpResponse<String> history = app.get("/api/pages/home/history?days=3");
        assertEquals(200, history.statusCode(), history.body());
        assertEquals("{\"page\":\"home\",\"days\":["
                + "{\"date\":\"" + today.minusDays(2) + "\",\"views\":7,\"uniqueVisitors\":2},"
                + "{\"date\":\"" + today.minusDays(1) + "\",\"views\":0,\"uniqueVisitors\":0},"
                + "{\"date\":\"" + today + "\",\"views\":3,\"uniqueVisitors\":1}]}", history.body().strip());
        assertEquals("no-store", history.headers().firstValue("Cache-Control").orElse(""));

        HttpResponse<String> byDefault = app.get("/api/pages/never-seen/history");
        assertEquals(200, byDefault.statusCode());
        assertEquals(30, byDefault.body().split("\"date\"").length - 1, "30 days by default");
        assertFalse(byDefault.body().contains("\"views\":1"));
        assertEquals(90, app.get("/api/pages/home/history?days=90").body().split("\"date\"").length - 1);
    }

    @Test
    void badDaysOrPageNamesAreAnsweredWithAJsonError() {
        for (String days : List.of("0", "91", "-1", "x", "1e3", "99999999999")) {
            HttpResponse<String> bad = app.get("/api/pages/home/history?days=" + days);
            assertEquals(400, bad.statusCode(), days);
            assertEquals("{\"status\":400,\"error\":\"days must be a whole number from 1 to 90 (HISTORY_DAYS).\"}",
                    bad.body().strip());
        }
        assertEquals(400, app.get("/api/pages/a%2Fb/history").statusCode());
    }

    @Test
    void putAndDeleteNeedTheTokenAndLogARefusalWithoutIt() {
        try (LogLines log = LogLines.of("dev.hitcounter.owner")) {
            for (String authorization : new String[] {null, "Bearer wrong-token-0123456789", "Basic "
                    + java.util.Base64.getEncoder().encodeToString((":" + TOKEN).getBytes())}) {
                HttpRequest.Builder put = HttpRequest.newBuilder(app.uri("/api/pages/home"))
                        .PUT(HttpRequest.BodyPublishers.ofString("{\"views\":5}"));
                if (authorization != null) {
                    put.header("Authorization", authorization);
                }
                HttpResponse<String> refused = app.send(put);
                assertEquals(401, refused.statusCode(), refused.body());
                assertEquals("Bearer realm=\"hit-counter admin\"",
                        refused.headers().firstValue("WWW-Authenticate").orElse(""));
            }
            HttpResponse<String> delete = app.send(HttpRequest.newBuilder(app.uri("/api/pages/home")).DELETE());
            assertEquals(401, delete.statusCode());
            assertEquals(4, log.lines().stream().filter(line -> line.startsWith("WARNING Refused")).count(),
                    String.valueOf(log.lines()));
            assertTrue(log.lines().stream().noneMatch(line -> line.contains("wrong-token")), "never the token");
        }
        assertFalse(redis.client().exists("page:home"));
    }

    @Test
    void putSetsTheCountAndCreatesAPageOnlyUnderMaxPages() {
        assertEquals(201, put("home", "{\"views\":1234}").statusCode());
        assertEquals("1234", redis.client().get("page:home"));
        HttpResponse<String> again = put("home", "{\"views\":0}");
        assertEquals(200, again.statusCode());
        assertEquals("{\"page\":\"home\",\"views\":0}", again.body().strip());
        assertEquals(200, post("home").statusCode());
        assertEquals("1", redis.client().get("page:home"));

        assertEquals(201, put("two", "{\"views\":2}").statusCode());
        assertEquals(201, put("three", "{\"views\":3}").statusCode());
        HttpResponse<String> full = put("four", "{\"views\":4}");
        assertEquals(409, full.statusCode(), full.body());
        assertFalse(redis.client().exists("page:four"));

        for (String body : List.of("", "{}", "{\"views\":-1}", "{\"views\":1.5}", "{\"views\":\"1\"}",
                "{\"views\":1,\"x\":2}", "{\"views\":99999999999999999999}", "[1]")) {
            HttpResponse<String> bad = put("home", body);
            assertEquals(400, bad.statusCode(), body);
            assertTrue(bad.body().contains("\"status\":400"), bad.body());
        }
        assertEquals("1", redis.client().get("page:home"));
    }

    @Test
    void deleteRemovesThePageItsDaysAndVisitorsAndFreesItsPlace() {
        put("one", "{\"views\":1}");
        put("two", "{\"views\":2}");
        post("home");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        redis.client().hset("page:days:home:" + today.minusDays(80), "views", "3");
        assertTrue(redis.client().exists("page:uniques:home:" + today));
        assertEquals(409, put("four", "{\"views\":4}").statusCode(), "three pages exist");

        HttpResponse<String> deleted = delete("home");
        assertEquals(204, deleted.statusCode(), deleted.body());
        assertEquals(Set.of("page:one", "page:two", "page:known:pages"), redis.client().keys("*"));
        assertEquals(404, delete("home").statusCode());
        assertEquals(201, put("four", "{\"views\":4}").statusCode(), "its place under MAX_PAGES is free");
    }

    @Test
    void aViewRacingAPutIsCountedBeforeOrAfterItNeverLostIntoIt() throws Exception {
        put("race", "{\"views\":0}");
        int clients = 8;
        int viewsEach = 40;
        ExecutorService threads = Executors.newFixedThreadPool(clients + 1);
        try {
            List<Future<List<Long>>> answers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                answers.add(threads.submit(() -> {
                    List<Long> counts = new ArrayList<>();
                    for (int i = 0; i < viewsEach; i++) {
                        HttpResponse<String> view = post("race");
                        assertEquals(200, view.statusCode(), view.body());
                        counts.add(views(view.body()));
                    }
                    return counts;
                }));
            }
            Future<Integer> set = threads.submit(() -> {
                Thread.sleep(50);
                return put("race", "{\"views\":1000000}").statusCode();
            });
            assertEquals(200, set.get());
            Set<Long> after = new HashSet<>();
            int total = 0;
            for (Future<List<Long>> answer : answers) {
                for (long count : answer.get()) {
                    total++;
                    if (count > 1_000_000) {
                        assertTrue(after.add(count), "each count once: " + count);
                    }
                }
            }
            long end = Long.parseLong(redis.client().get("page:race"));
            assertEquals(clients * viewsEach, total);
            assertEquals(1_000_000 + after.size(), end, "every view after the PUT counts on top of it");
            for (long count = 1_000_001; count <= end; count++) {
                assertTrue(after.contains(count), "answered " + count);
            }
            System.out.println("OwnerApiIT: " + after.size() + " of " + total + " views after the PUT");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void withoutTheTokenFileTheAdminEndpointsDoNotExist() {
        try (RunningApp plain = RunningApp.withRedis(redis)) {
            HttpResponse<String> put = plain.send(HttpRequest.newBuilder(plain.uri("/api/pages/home"))
                    .header("Authorization", "Bearer " + TOKEN).PUT(HttpRequest.BodyPublishers.ofString("{\"views\":1}")));
            assertEquals(404, put.statusCode(), put.body());
            assertEquals(404, plain.send(HttpRequest.newBuilder(plain.uri("/api/pages/home")).DELETE()).statusCode());
            assertEquals(200, plain.get("/api/pages/home/history").statusCode(), "history is no admin endpoint");
        }
        assertFalse(redis.client().exists("page:home"));
    }

    private static HttpResponse<String> post(String page) {
        return app.send(HttpRequest.newBuilder(app.uri("/api/pages/" + page + "/views"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    private static HttpResponse<String> put(String page, String body) {
        return app.send(HttpRequest.newBuilder(app.uri("/api/pages/" + page)).header("Authorization", "Bearer " + TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> delete(String page) {
        return app.send(HttpRequest.newBuilder(app.uri("/api/pages/" + page)).header("Authorization", "Bearer " + TOKEN)
                .DELETE());
    }

    private static long views(String body) {
        Matcher matcher = VIEWS.matcher(body);
        assertTrue(matcher.find(), body);
        return Long.parseLong(matcher.group(1));
    }
}
