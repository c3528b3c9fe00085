package dev.hitcounter.pages;

import static dev.hitcounter.pages.PageRequests.method;
import static dev.hitcounter.pages.PageRequests.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/pages/{page}/shields.json} on embedded Tomcat against a real Redis (issue 24 part 4): it follows
 * shields.io's endpoint-badge schema, shows the page's count, and never counts, however often it is read.
 */
class ShieldsEndpointIT {

    @Test
    void answersTheEndpointSchemaWithTheCountAndNeverCounts() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            HttpResponse<String> never = shields(app, "docs.install");
            assertEquals(200, never.statusCode(), never.body());
            assertEquals("0", ShieldsSchema.assertValid(never.body()).get("message"));
            assertFalse(redis.client().exists("page:docs.install"), "reading creates no key");

            for (int i = 0; i < 3; i++) {
                assertEquals(200, post(app, "docs.install").statusCode());
            }
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> read = shields(app, "docs.install");
                assertEquals(200, read.statusCode(), read.body());
                assertEquals("application/json;charset=UTF-8",
                        read.headers().firstValue("Content-Type").orElse("").replace(" ", ""));
                assertEquals(Map.of("schemaVersion", 1L, "label", "views", "message", "3", "color", "blue",
                        "cacheSeconds", 300L), ShieldsSchema.assertValid(read.body()));
            }
            assertEquals(200, method(app, "HEAD", "/api/pages/docs.install/shields.json").statusCode());
            assertEquals("3", redis.client().get("page:docs.install"), "reading counted a view");

            redis.client().set("page:big", "1234566");
            assertEquals(200, post(app, "big").statusCode());
            assertEquals("1,234,567", ShieldsSchema.assertValid(shields(app, "big").body()).get("message"));
            assertEquals("1234567", redis.client().get("page:big"));
        }
    }

    @Test
    void refusesWhatThePageApiRefusesAndNothingElseIsAnEndpoint() throws Exception {
        try (RunningApp app = RunningApp.start(Map.of("PAGES", "home"))) {
            HttpResponse<String> bad = shields(app, "a:b");
            assertEquals(400, bad.statusCode(), bad.body());
            assertTrue(bad.body().contains("\"status\":400"), bad.body());
            HttpResponse<String> unlisted = shields(app, "elsewhere");
            assertEquals(404, unlisted.statusCode(), unlisted.body());
            assertTrue(unlisted.body().contains(Pages.NOT_LISTED), unlisted.body());
            for (String path : new String[] {"/api/pages/home/shields.jsonx", "/api/pages/home/shields",
                    "/api/pages/home/views/shields.json"}) {
                HttpResponse<String> none = app.get(path);
                assertEquals(404, none.statusCode(), path + ": " + none.body());
                assertTrue(none.body().contains("GET /api/pages/{page}/shields.json"), none.body());
            }
            HttpResponse<String> posted = method(app, "POST", "/api/pages/home/shields.json");
            assertEquals(405, posted.statusCode(), posted.body());
            assertEquals("GET, HEAD, OPTIONS", posted.headers().firstValue("Allow").orElse(""));
            assertEquals("0", ShieldsSchema.assertValid(shields(app, "home").body()).get("message"),
                    "a POST to it counted nothing");
        }
    }

    private static HttpResponse<String> shields(RunningApp app, String page) {
        return app.get("/api/pages/" + page + "/shields.json");
    }
}
