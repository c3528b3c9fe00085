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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * Nobody fills Redis by inventing page names (issue 12): two app instances on one Redis creating pages at once stop at
 * exactly {@code MAX_PAGES}, refuse the rest with 404 and create nothing for them; {@code PAGES} counts only its list.
 */
class PageBoundIT {

    private static final int MAX_PAGES = 20;
    private static final int NEW_PAGES = 120;
    private static final int CLIENTS = 12;

    @Test
    void twoInstancesCreatingPagesAtOnceStopAtExactlyMaxPages() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp first = RunningApp.start(Map.of("REDIS_URL", redis.url(), "MAX_PAGES", "" + MAX_PAGES));
             RunningApp second = RunningApp.start(Map.of("REDIS_URL", redis.url(), "MAX_PAGES", "" + MAX_PAGES))) {
            List<RunningApp> apps = List.of(first, second);
            Map<String, AtomicLong> served = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
            AtomicLong refused = new AtomicLong();
            ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(threads.submit(() -> {
                    // Every client asks for every page, from both instances, by badge and by API, in its own order.
                    for (int i = 0; i < NEW_PAGES; i++) {
                        String page = "new-" + (i * 7 + client * 13) % NEW_PAGES;
                        RunningApp app = apps.get((client + i) % 2);
                        boolean viaBadge = i % 3 == 0;
                        HttpResponse<String> response = viaBadge ? badge(app, page, "") : post(app, page);
                        if (response.statusCode() == 200) {
                            served.computeIfAbsent(page, name -> new AtomicLong()).incrementAndGet();
                        } else if (response.statusCode() == 404) {
                            refused.incrementAndGet();
                            // A badge says it in its image (issue 21 item 13), the API in its JSON.
                            String reason = viaBadge ? "aria-label=\"views: not counted\"" : "MAX_PAGES";
                            if (!response.body().contains(reason)) {
                                unexpected.add("404 without the reason: " + response.body());
                            }
                        } else {
                            unexpected.add(response.statusCode() + " for " + page + ": " + response.body());
                        }
                    }
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            threads.shutdown();
            assertTrue(unexpected.isEmpty(), "only 200 or 404: " + unexpected);

            Set<String> known = redis.client().smembers("page:known:pages");
            assertEquals(MAX_PAGES, redis.client().scard("page:known:pages"), "exactly MAX_PAGES pages: " + known);
            assertEquals(known, served.keySet(), "the pages served 200 are the pages known");
            assertEquals(known.stream().map(page -> "page:" + page).collect(Collectors.toSet()), countKeys(redis),
                    "a count key for each known page and no other");
            for (String page : known) {
                assertEquals(served.get(page).get(), redis.valueOf("page:" + page), page + ": its 200s");
            }
            Set<String> uniquesOf = redis.client().keys("page:uniques:*").stream()
                    .map(key -> key.split(":")[2]).collect(Collectors.toSet());
            assertTrue(known.containsAll(uniquesOf), "visitors recorded for known pages only: " + uniquesOf);
            assertEquals((long) CLIENTS * NEW_PAGES,
                    refused.get() + served.values().stream().mapToLong(AtomicLong::get).sum());

            String someKnown = known.iterator().next();
            for (RunningApp app : apps) {
                long before = redis.valueOf("page:" + someKnown);
                assertEquals(before + 1, jsonViews(post(app, someKnown).body()), "a known page is still counted");
                assertEquals(before + 2, badgeViews(badge(app, someKnown, "").body()));
                HttpResponse<String> full = post(app, "one-too-many");
                assertEquals(404, full.statusCode(), full.body());
                assertTrue(full.body().contains("\"status\":404") && full.body().contains("MAX_PAGES"), full.body());
                assertEquals(404, badge(app, "one-too-many", "").statusCode());
            }
            assertFalse(redis.client().exists("page:one-too-many"));
            assertEquals(MAX_PAGES, redis.client().scard("page:known:pages"));
            System.out.printf("page bound: %d requests for %d new pages from 2 instances, %d pages created, "
                    + "%d refused%n", CLIENTS * NEW_PAGES, NEW_PAGES, known.size(), refused.get());
        }
    }

    @Test
    void pagesListCountsOnlyItsPages() {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "PAGES", "home, blog.first-post"))) {
            assertEquals(1, jsonViews(post(app, "home").body()));
            assertEquals(1, badgeViews(badge(app, "blog.first-post", "").body()));
            for (String other : List.of("other", "Home", "blog", "blog.first-post2")) {
                HttpResponse<String> counted = post(app, other);
                assertEquals(404, counted.statusCode(), other);
                assertTrue(counted.body().contains("PAGES"), counted.body());
                assertEquals(404, read(app, other).statusCode(), other);
                assertEquals(404, badge(app, other, "").statusCode(), other);
                assertEquals(404, badge(app, other, "count=false").statusCode(), other);
            }
            assertEquals(400, post(app, "a:b").statusCode(), "a name that is no page name is still a 400");
            assertEquals(Set.of("page:home", "page:blog.first-post"), countKeys(redis));
            assertEquals(Set.of("home", "blog.first-post"), redis.client().smembers("page:known:pages"));
        }
    }

    /** The keys of page counts: under the prefix, apart from the set of known pages, visitors and days. */
    private static Set<String> countKeys(RedisServerProcess redis) {
        return redis.client().keys("page:*").stream()
                .filter(key -> !key.equals("page:known:pages")
                        && !key.startsWith("page:uniques:") && !key.startsWith("page:days:"))
                .collect(Collectors.toSet());
    }
}
