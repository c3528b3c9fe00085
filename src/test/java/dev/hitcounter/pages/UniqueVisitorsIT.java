package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.hitcounter.testing.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Unique visitors in a real redis-server, counted as the app counts them (with their views, in count-pages.lua):
 * accuracy, one count per visitor and day, a key per day from the shared secret, midnight UTC, TTLs, privacy.
 */
class UniqueVisitorsIT {

    private static final Instant NOON = Instant.parse("2026-03-10T12:00:00Z");
    private static final LocalDate DAY = LocalDate.of(2026, 3, 10);
    private static final byte[] SECRET = "integration-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
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
    void tenThousandDistinctVisitorsAreReportedWithinTwoPercent() throws Exception {
        // The estimate depends on the values, so on the secret. Over 200 random salts of the former SHA-256 values
        // (10,000 visitors each) the error was 0.61 % RMS and 1.80 % at worst, so a random secret would rarely pass
        // 2 %; the fixed one makes the run repeatable.
        UniqueVisitors uniques = at(NOON);
        int visitors = 10_000;
        for (int i = 0; i < visitors; i++) {
            visit(uniques, "home", ip(i), FIREFOX);
        }
        long today = uniques.today("home");
        long week = uniques.lastSevenDays("home");
        System.out.println("UniqueVisitorsIT: " + visitors + " distinct visitors -> PFCOUNT today " + today
                + ", last 7 days " + week);
        assertTrue(Math.abs(today - visitors) <= visitors * 0.02, "today: " + today);
        assertEquals(today, week, "one day of data: the union is that day");
    }

    @Test
    void theSameVisitorTwiceInADayIsCountedOnce() throws Exception {
        UniqueVisitors uniques = at(NOON);
        visit(uniques, "home", "203.0.113.7", FIREFOX);
        visit(at(NOON.plus(Duration.ofHours(11))), "home", "203.0.113.7", FIREFOX);
        assertEquals(1, uniques.today("home"));

        visit(uniques, "home", "203.0.113.7", "curl/8.5.0");
        visit(uniques, "home", "203.0.113.8", FIREFOX);
        assertEquals(3, uniques.today("home"), "another User-Agent or another IP is another visitor");
        visit(uniques, "about", "203.0.113.7", FIREFOX);
        assertEquals(1, uniques.today("about"), "pages are counted apart");
        assertEquals(3, uniques.today("home"));
    }

    @Test
    void aBatchOfVisitsToSeveralPagesIsAddedInTheOneCallThatCountsItsViews() throws Exception {
        UniqueVisitors uniques = at(NOON);
        visit(uniques, "warm-up", "203.0.113.1", FIREFOX);
        List<UniqueVisitors.Visit> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(new UniqueVisitors.Visit(i % 2 == 0 ? "home" : "about", ip(i), FIREFOX));
        }
        batch.add(new UniqueVisitors.Visit("home", ip(0), FIREFOX));
        redis.client().sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
        assertEquals(Map.of("home", new PageOutcome.Counted(26), "about", new PageOutcome.Counted(25)),
                counter(uniques, 100).add(Map.of("home", 26, "about", 25), batch));
        String stats = redis.client().info("commandstats");
        assertTrue(stats.contains("cmdstat_evalsha:calls=1,"), "one round trip: " + stats);
        assertFalse(stats.contains("cmdstat_set:"), "no salt is stored: " + stats);
        assertFalse(stats.contains("cmdstat_get:"), "no salt is read: " + stats);
        assertTrue(stats.contains("cmdstat_pfadd:calls=2,"), "one PFADD per page: " + stats);
        assertTrue(stats.contains("cmdstat_expire:calls=2,"), stats);
        assertEquals(25, uniques.today("home"));
        assertEquals(25, uniques.today("about"));
        assertFalse(batch.get(0).toString().contains(ip(0)), batch.get(0).toString());
    }

    @Test
    void afterScriptFlushABatchWithVisitorsIsTwoCallsAndNoOtherRoundTrip() throws Exception {
        // Issue 21 item 10: no salt to settle after the script is reloaded; the views' answers wait for nothing more.
        UniqueVisitors uniques = at(NOON);
        visit(uniques, "home", "203.0.113.1", FIREFOX);
        redis.client().scriptFlush();
        redis.client().sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
        assertEquals(Map.of("home", new PageOutcome.Counted(2)), counter(uniques, 100).add(Map.of("home", 1),
                List.of(new UniqueVisitors.Visit("home", "203.0.113.2", FIREFOX))));
        String stats = redis.client().info("commandstats");
        assertTrue(stats.contains("cmdstat_evalsha:calls=1,"), "NOSCRIPT: " + stats);
        assertTrue(stats.contains("cmdstat_eval:calls=1,"), "the batch once more, with the script: " + stats);
        for (String other : List.of("cmdstat_script", "cmdstat_get:", "cmdstat_set:")) {
            assertFalse(stats.contains(other), "no " + other + ": " + stats);
        }
        assertTrue(stats.contains("cmdstat_pfadd:calls=1,"), stats);
        assertEquals(2, uniques.today("home"));
    }

    @Test
    void twoAppInstancesWithTheSameSecretAgreeWithoutAskingRedisAndWithRandomSecretsDoNot() throws Exception {
        visit(at(NOON), "home", "203.0.113.7", FIREFOX);
        visit(at(NOON), "home", "203.0.113.7", FIREFOX);
        assertEquals(1, at(NOON).today("home"), "a visitor balanced onto both instances is one visitor");
        assertEquals(Set.of("page:uniques:home:" + DAY, "page:home", "page:known:pages"), redis.client().keys("*"));

        SecureRandom random = new SecureRandom();
        for (int instance = 0; instance < 2; instance++) {
            visit(new UniqueVisitors(appClient::getPool, "page", Clock.fixed(NOON, ZoneOffset.UTC),
                    DayKeys.random(random)), "about", "203.0.113.7", FIREFOX);
        }
        assertEquals(2, at(NOON).today("about"), "UNIQUE_VISITORS_SECRET_FILE unset: once per instance");
    }

    @Test
    void aVisitJustAfterMidnightUtcGoesToTheNewDayUnderTheNewDaysKey() throws Exception {
        // Issue 27 item 3: one instance across midnight, its day key kept from 23:59.
        MovableClock clock = new MovableClock(Instant.parse("2026-03-10T23:59:00Z"));
        UniqueVisitors uniques = new UniqueVisitors(appClient::getPool, "page", clock, new DayKeys(SECRET));
        visit(uniques, "home", "203.0.113.7", FIREFOX);
        clock.now = Instant.parse("2026-03-11T00:01:00Z");
        visit(uniques, "home", "203.0.113.7", FIREFOX);

        byte[] newDay = "page:uniques:home:2026-03-11".getBytes(StandardCharsets.UTF_8);
        byte[] expected = "expected".getBytes(StandardCharsets.UTF_8);
        redis.client().pfadd(expected, ExpectedVisitorValues.value(ExpectedVisitorValues.dayKey(SECRET, "2026-03-11"),
                "203.0.113.7", FIREFOX, "home"));
        assertArrayEquals(redis.client().get(expected), redis.client().get(newDay),
                "the new day's HyperLogLog holds the value made with the new day's key, and only it");
        redis.client().del(expected);
        assertEquals(1, uniques.today("home"), "the new day has its own visitor");
        assertEquals(2, uniques.lastSevenDays("home"), "unrelated values on the two days");
        assertEquals(Set.of("page:uniques:home:2026-03-10", "page:uniques:home:2026-03-11", "page:home",
                "page:known:pages"), redis.client().keys("*"));
    }

    @Test
    void aNewDayHasANewKeyAndTheVisitorCannotBeLinkedAcrossDays() throws Exception {
        UniqueVisitors firstDay = at(NOON);
        UniqueVisitors nextDay = at(NOON.plus(Duration.ofDays(1)));
        visit(firstDay, "home", "203.0.113.7", FIREFOX);
        visit(nextDay, "home", "203.0.113.7", FIREFOX);
        assertEquals(1, nextDay.today("home"));
        assertEquals(2, nextDay.lastSevenDays("home"), "different day keys, unrelated values: counted on each day");

        assertEquals(2, at(NOON.plus(Duration.ofDays(6))).lastSevenDays("home"), "both days are in the last seven");
        assertEquals(1, at(NOON.plus(Duration.ofDays(7))).lastSevenDays("home"), "the first day has left the week");
        assertEquals(0, at(NOON.plus(Duration.ofDays(8))).lastSevenDays("home"));
        assertEquals(0, at(NOON.plus(Duration.ofDays(1))).today("other"));
    }

    @Test
    void theHyperLogLogsLastAboutEightDaysAfterTheirLastVisitAndNothingElseIsStored() throws Exception {
        UniqueVisitors uniques = at(NOON);
        visit(uniques, "home", "203.0.113.7", FIREFOX);
        assertAbout(Duration.ofDays(8), redis.client().ttl("page:uniques:home:" + DAY), "day key");
        assertEquals(Set.of("page:uniques:home:" + DAY, "page:home", "page:known:pages"), redis.client().keys("*"));

        redis.client().expire("page:uniques:home:" + DAY, 60);
        visit(uniques, "home", "203.0.113.8", FIREFOX);
        assertAbout(Duration.ofDays(8), redis.client().ttl("page:uniques:home:" + DAY), "day key after a visit");
    }

    @Test
    void noKeyOrValueInRedisHoldsAnIpOrUserAgent() throws Exception {
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String ip = i % 2 == 0 ? ip(i) : "2001:db8::" + Integer.toHexString(i);
            String agent = "TestAgent/" + (1000 + i) + " (unique marker " + i + ")";
            UniqueVisitors uniques = at(NOON.plus(Duration.ofDays(i % 3)));
            visit(uniques, i % 2 == 0 ? "home" : "blog.post-1", ip, agent);
            secrets.add(ip);
            secrets.add(agent);
        }
        List<byte[]> stored = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = redis.client().scan(cursor);
            for (String key : page.getResult()) {
                if (key.equals("page:known:pages") || key.equals("page:home") || key.equals("page:blog.post-1")) {
                    continue;
                }
                stored.add(key.getBytes(StandardCharsets.UTF_8));
                String type = redis.client().type(key);
                assertEquals("string", type, key + " is a HyperLogLog");
                stored.add(redis.client().get(key.getBytes(StandardCharsets.UTF_8)));
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        assertEquals(6, stored.size() / 2, "two pages on each of three days");
        for (byte[] bytes : stored) {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            for (String secret : secrets) {
                assertFalse(text.contains(secret), "stored: " + secret);
            }
            assertFalse(text.contains("TestAgent"));
        }
    }

    @Test
    void aPageRefusedByMaxPagesGetsNoVisitors() throws Exception {
        UniqueVisitors uniques = at(NOON);
        RedisPageCounter counter = counter(uniques, 1);
        counter.add(Map.of("home", 1), List.of(new UniqueVisitors.Visit("home", "203.0.113.7", FIREFOX)));
        assertEquals(Map.of("about", new PageOutcome.Full()),
                counter.add(Map.of("about", 1), List.of(new UniqueVisitors.Visit("about", "203.0.113.7", FIREFOX))));
        assertEquals(0, uniques.today("about"));
        assertFalse(redis.client().exists("page:uniques:about:" + DAY));
        assertEquals(1, uniques.today("home"));
    }

    /** One view of {@code page} and its visit, counted as the page coalescer counts a batch. */
    private void visit(UniqueVisitors uniques, String page, String clientIp, String userAgent) throws Exception {
        counter(uniques, 10_000).add(Map.of(page, 1), List.of(new UniqueVisitors.Visit(page, clientIp, userAgent)));
    }

    private RedisPageCounter counter(UniqueVisitors uniques, int maxPages) {
        return new RedisPageCounter(new PageBatchScript(appClient::getPool, "page", maxPages), Optional.of(uniques));
    }

    private UniqueVisitors at(Instant now) {
        return new UniqueVisitors(appClient::getPool, "page", Clock.fixed(now, ZoneOffset.UTC), new DayKeys(SECRET));
    }

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {

        volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static String ip(int i) {
        return "10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff);
    }

    private static void assertAbout(Duration expected, long ttlSeconds, String what) {
        assertTrue(ttlSeconds > expected.toSeconds() - 60 && ttlSeconds <= expected.toSeconds(),
                what + " TTL " + ttlSeconds + " s, expected about " + expected.toSeconds());
    }
}
