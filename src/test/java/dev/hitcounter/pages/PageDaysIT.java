package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.hitcounter.testing.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/**
 * Views per day and once-per-window counting in count-pages.lua, in a real redis-server (issue 24 parts 1 and 5):
 * both in the batch's one call, the days expiring by themselves.
 */
class PageDaysIT {

    private static final Instant NOON = Instant.parse("2026-12-03T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOON, ZoneOffset.UTC);
    private static final byte[] SECRET = "page-days-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    private RedisServerProcess redis;
    private RedisClient appClient;

    @BeforeEach
    void startRedis() {
        redis = RedisServerProcess.start();
        appClient = RedisClient.builder().hostAndPort("127.0.0.1", redis.port()).build();
    }

    @AfterEach
    void stopRedis() {
        appClient.close();
        redis.close();
    }

    @Test
    void eachCountedViewAlsoCountsInItsPagesDayInTheSameOneCall() throws Exception {
        RedisPageCounter counter = counter(400, 0);
        counter.add(Map.of("warm-up", 1), List.of(visit("warm-up", 0)));
        redis.client().sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
        List<UniqueVisitors.Visit> visits = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            visits.add(visit("home", i % 3));
        }
        visits.add(visit("about", 0));
        assertEquals(Map.of("home", new PageOutcome.Counted(12), "about", new PageOutcome.Counted(1)),
                counter.add(Map.of("home", 12, "about", 1), visits));

        String stats = redis.client().info("commandstats");
        assertTrue(stats.contains("cmdstat_evalsha:calls=1,"), "one round trip: " + stats);
        assertEquals(Map.of("views", "12", "uniques", "3"), redis.client().hgetAll("page:days:home:2026-12-03"));
        assertEquals(Map.of("views", "1", "uniques", "1"), redis.client().hgetAll("page:days:about:2026-12-03"));
        long ttl = redis.client().ttl("page:days:home:2026-12-03");
        assertTrue(ttl > 400L * 86_400 && ttl <= 401L * 86_400, "kept HISTORY_DAYS whole days after the day: " + ttl);
    }

    @Test
    void withoutUniqueVisitorsTheDaysStillCountInTheOneCall() throws Exception {
        PageBatchScript script = new PageBatchScript(appClient::getPool, "page", 100, 0, 0,
                new PageBatchScript.Days(CLOCK, 30, 0));
        script.add(Map.of("home", 1));
        redis.client().sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
        assertEquals(Map.of("home", new PageOutcome.Counted(4)), script.add(Map.of("home", 3)));
        assertTrue(redis.client().info("commandstats").contains("cmdstat_evalsha:calls=1,"));
        assertEquals(Map.of("views", "4"), redis.client().hgetAll("page:days:home:2026-12-03"));
        assertFalse(redis.client().exists("page:uniques:home:2026-12-03"));
    }

    @Test
    void aPageWithNoCountedViewsIsReadNotCreated() throws Exception {
        PageBatchScript script = new PageBatchScript(appClient::getPool, "page", 100, 0, 0,
                new PageBatchScript.Days(CLOCK, 30, 0));
        assertEquals(Map.of("bots-only", new PageOutcome.Counted(0)), script.add(Map.of("bots-only", 0)));
        assertFalse(redis.client().exists("page:bots-only"));
        assertFalse(redis.client().sismember("page:known:pages", "bots-only"));
        script.add(Map.of("home", 2));
        assertEquals(Map.of("home", new PageOutcome.Counted(2)), script.add(Map.of("home", 0)));
        assertEquals(Map.of("views", "2"), redis.client().hgetAll("page:days:home:2026-12-03"));
    }

    @Test
    void aHundredViewsOfOneVisitorInTheWindowCountOnceAndTwoVisitorsCountTwo() throws Exception {
        RedisPageCounter counter = counter(400, 30 * 60_000L);
        List<UniqueVisitors.Visit> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(visit("home", 1));
        }
        // Half in one batch, half over many: the window holds across batches as within one.
        assertEquals(Map.of("home", new PageOutcome.Counted(1)), counter.add(Map.of("home", 50), hundred.subList(0, 50)));
        for (int i = 50; i < 100; i++) {
            assertEquals(Map.of("home", new PageOutcome.Counted(1)), counter.add(Map.of("home", 1),
                    List.of(hundred.get(i))));
        }
        assertEquals("1", redis.client().get("page:home"));
        assertEquals(Map.of("home", new PageOutcome.Counted(2)), counter.add(Map.of("home", 2),
                List.of(visit("home", 2), visit("home", 1))));
        assertEquals("2", redis.client().get("page:home"), "a second visitor counts, the first one still not");
        assertEquals("2", redis.client().hget("page:days:home:2026-12-03", "views"));
        long ttl = redis.client().pttl("page:once:home");
        assertTrue(ttl > 0 && ttl <= 30 * 60_000L, "the window's set lasts one window: " + ttl);
        for (String member : redis.client().zrange("page:once:home", 0, -1)) {
            assertFalse(member.contains("203.0.113") || member.contains("Firefox"), "nothing in clear: " + member);
        }
    }

    @Test
    void aVisitorCountsAgainOnceTheWindowHasPassed() throws Exception {
        RedisPageCounter counter = counter(400, 200);
        counter.add(Map.of("home", 1), List.of(visit("home", 1)));
        counter.add(Map.of("home", 1), List.of(visit("home", 1)));
        assertEquals("1", redis.client().get("page:home"));
        Thread.sleep(400);
        counter.add(Map.of("home", 1), List.of(visit("home", 1)));
        assertEquals("2", redis.client().get("page:home"));
    }

    private RedisPageCounter counter(int historyDays, long onceMillis) {
        PageBatchScript script = new PageBatchScript(appClient::getPool, "page", 100, 0, 0,
                new PageBatchScript.Days(CLOCK, historyDays, onceMillis));
        return new RedisPageCounter(script, Optional.of(new UniqueVisitors(appClient::getPool, "page", CLOCK,
                new DayKeys(SECRET))));
    }

    private static UniqueVisitors.Visit visit(String page, int visitor) {
        return new UniqueVisitors.Visit(page, "203.0.113." + visitor, FIREFOX);
    }
}
