package dev.hitcounter.pages;

import static dev.hitcounter.pages.PageRequests.badge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.hitcounter.testing.RawHttp;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile page names, labels and parameters and wrong methods on the page endpoints (issue 12): a 400, 404 or 405,
 * never a count, never a key in Redis, never markup from the request in a badge, never a 500.
 */
class PageHostileInputIT {

    /** Page names as they appear raw in the request line, each refused. */
    private static final List<String> HOSTILE_NAMES = List.of(
            "..", ".", "%2e%2e", "%2E", "a".repeat(65), "a%2Fb", "a%2fb", "a:b", "%C3%A9t%C3%A9", "\u00e9t\u00e9",
            "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "<script>", "", "a%00b", "a%20b", "a+b", "a;b", "a%3Bb", "%",
            "a%zz", "~%2F..%2F", "a\\b", "a%5Cb", "page%0d%0aSet-Cookie:x");

    private static RedisServerProcess redis;
    private static RunningApp app;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.start();
        app = RunningApp.start(Map.of("REDIS_URL", redis.url()));
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
    void hostilePageNamesAreRefusedAndCreateNothing() throws IOException {
        for (String name : HOSTILE_NAMES) {
            // ".." and "." as a whole path segment are dot-segments: Tomcat removes them (and a decoded "%2e%2e")
            // before mapping, so /api/pages/../views is /api/views, a 404; a badge's ".." is the segment "...svg".
            boolean dotSegment = name.equals("..") || name.equalsIgnoreCase("%2e%2e") || name.equalsIgnoreCase("%2E")
                    || name.equals("~%2F..%2F");
            assertRefused(name, "GET /badge/" + name + ".svg", false);
            assertRefused(name, "GET /badge/" + name + ".svg?count=false", false);
            assertRefused(name, "POST /api/pages/" + name + "/views", dotSegment);
            assertRefused(name, "GET /api/pages/" + name, dotSegment);
        }
        assertEquals(Set.of(), redis.client().keys("*"), "no hostile name created a key");
        assertEquals(1, app.view(), "GET / still counts from where it was");
    }

    @Test
    void theLongestNameAndEveryAllowedCharacterAreCounted() {
        String longest = "a".repeat(64);
        String every = "AZaz09._~-";
        assertEquals(200, badge(app, longest, "").statusCode());
        assertEquals(200, PageRequests.post(app, every).statusCode());
        assertEquals("1", redis.client().get("page:" + longest));
        assertEquals("1", redis.client().get("page:" + every));
    }

    @Test
    void hostileLabelsAreEscapedOrRefused() {
        for (String label : List.of("<script>alert(1)</script>", "\"onload=\"alert(1)", "it's", "a & b", "]]>",
                "<![CDATA[x]]>", "Besucher \u2713", "\u8a2a\u554f\u8005", "a".repeat(64))) {
            HttpResponse<String> response = badge(app, "labels", "label=" + encode(label));
            assertEquals(200, response.statusCode(), label + ": " + response.body());
            String svg = response.body();
            assertFalse(svg.contains("<script") || svg.contains("onload=\"") || svg.contains("<![CDATA["),
                    "no markup from the label: " + svg);
            String escaped = label.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("\"", "&quot;").replace("'", "&#39;");
            assertTrue(svg.contains(">" + escaped + "</text>"), "the label shown escaped: " + svg);
            assertTrue(svg.contains("aria-label=\"" + escaped + ": "), svg);
        }
        for (String label : List.of("", " ", "\u00a0", "a".repeat(65), "a\u0000b", "a\nb", "a\rb", "\u0007", "\t",
                "\u202eevil", "a\u200bb", "\ue000", "a\u2028b")) {
            HttpResponse<String> response = badge(app, "labels", "label=" + encode(label));
            assertEquals(400, response.statusCode(), "label " + label.codePoints().boxed().toList());
            assertTrue(response.body().contains("aria-label=\"badge: bad option\""), response.body());
        }
        assertEquals(9, redis.valueOf("page:labels"), "only the badges shown were counted");
    }

    @Test
    void badColorStyleCountAndValueAre400AndCountNothing() {
        List<String> queries = List.of(
                "color=", "color=javascript:alert(1)", "color=%2312", "color=red;x", "color=url(%23a)",
                "color=12345g", "color=%22%3E%3Cscript%3E", "color=%23%23abc", "color=rgb(1,2,3)", "color=%20red",
                "style=", "style=plastic", "style=flat%22", "style=for_the_badge", "style=flat%00",
                "count=", "count=no", "count=0", "count=yes", "count=FALSE%3Cx",
                "value=", "value=x", "value=uniques", "value=views%3Cscript%3E");
        for (String query : queries) {
            HttpResponse<String> response = badge(app, "bad", query);
            assertEquals(400, response.statusCode(), query + ": " + response.body());
            assertTrue(response.body().contains("aria-label=\"badge: bad option\""), query + ": " + response.body());
            assertFalse(response.body().contains("<script") || response.body().contains("javascript"),
                    "nothing echoed for " + query + ": " + response.body());
        }
        assertFalse(redis.client().exists("page:bad"), "no bad badge was counted");
        assertFalse(redis.client().sismember("page:known:pages", "bad"));
    }

    @Test
    void wrongMethodsAre405WithAllowAndCountNothing() {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            assertMethodNotAllowed(method, "/badge/m.svg", "GET, HEAD");
        }
        for (String method : List.of("POST", "PATCH")) {
            assertMethodNotAllowed(method, "/api/pages/m", "GET, HEAD, OPTIONS");
        }
        // PUT and DELETE are the admin endpoints, which do not exist without ADMIN_TOKEN_FILE (issue 24 part 3).
        for (String method : List.of("PUT", "DELETE")) {
            assertEquals(404, PageRequests.method(app, method, "/api/pages/m").statusCode(), method);
        }
        for (String method : List.of("GET", "HEAD", "PUT", "DELETE", "PATCH")) {
            assertMethodNotAllowed(method, "/api/pages/m/views", "POST, OPTIONS");
        }
        assertEquals(Set.of(), redis.client().keys("*"), "no wrong method counted");
    }

    @Test
    void otherPathsUnderTheEndpointsAre404() throws IOException {
        for (String request : List.of("GET /badge/m", "GET /badge/m.png", "GET /badge/", "GET /badge/m.svg/x",
                "POST /api/pages/m/views/x", "POST /api/pages/m/likes", "GET /api/pages/m/views/",
                "GET /api/pages/m/x/y", "GET /badge", "HEAD /badge", "POST /api/pages", "GET /api/pages",
                // Paths Tomcat normalises onto the endpoints: the raw path must not be read as another page's name.
                "GET /./badge/m.svg", "GET /%62adge/m.svg", "POST /api/./pages/views", "POST /api/%70ages/m/views",
                "GET /api/./pages/m", "POST //api/pages/m/views")) {
            RawHttp.Result result = raw(request);
            assertTrue(result.status() == 404 || result.status() == 400 || result.status() == 405,
                    request + ": " + result.response());
        }
        assertEquals(Set.of(), redis.client().keys("*"), "nothing counted");
    }

    private static void assertMethodNotAllowed(String method, String path, String allow) {
        HttpResponse<String> response = PageRequests.method(app, method, path);
        assertEquals(405, response.statusCode(), method + " " + path);
        assertEquals(allow, response.headers().firstValue("Allow").orElse(""), method + " " + path);
    }

    private static void assertRefused(String name, String requestLine, boolean elsewhere) throws IOException {
        RawHttp.Result result = raw(requestLine);
        String what = requestLine + " (" + name + "): " + result.response();
        assertTrue(result.status() == 400 || (elsewhere && (result.status() == 404 || result.status() == 405)), what);
        assertFalse(result.response().contains("\"views\""), what);
        // A badge answers an SVG that says so, without the name; the API answers JSON.
        assertTrue(!result.response().contains("<svg") || (requestLine.startsWith("GET /badge/")
                && result.response().contains("aria-label=\"views: not counted\"")), what);
        assertFalse(result.response().contains("<script") || result.response().contains("Set-Cookie"), what);
    }

    private static RawHttp.Result raw(String requestLine) throws IOException {
        String length = requestLine.startsWith("POST ") ? "Content-Length: 0\r\n" : "";
        return RawHttp.send(app.port(), requestLine + " HTTP/1.1\r\nHost: x\r\n" + length + "Connection: close\r\n\r\n");
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
