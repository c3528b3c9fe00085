package dev.hitcounter.pages;

import static dev.hitcounter.pages.PageRequests.badge;
import static dev.hitcounter.pages.PageRequests.post;
import static dev.hitcounter.pages.PageRequests.read;
import static dev.hitcounter.pages.PageRequests.uniques;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.hitcounter.testing.LogLines;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Protocol;

/**
 * Unique visitors through the endpoints (issue 12): one visitor is an IP and a User-Agent, the IP is the proxy's
 * {@code X-Forwarded-For} only behind {@code TRUSTED_PROXIES}, {@code UNIQUE_VISITORS=false} turns them off, and
 * neither IP nor User-Agent is ever stored in Redis or logged.
 */
class UniqueVisitorsEndpointIT {

    private static final String UA = "Mozilla/5.0 (X11; Linux x86_64) UniqueProbe/7f3a";
    /** A browser: curl is a bot since issue 24 part 5, and its views of a page do not count. */
    private static final String SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.5 Safari/605.1.15";

    @Test
    void theSameVisitorTwiceIsOneAndOtherUserAgentsAreMore() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            assertEquals(Map.of("today", 0L, "last7Days", 0L), uniques(read(app, "home").body()));

            post(app, "home", "User-Agent", UA);
            post(app, "home", "User-Agent", UA);
            badge(app, "home", "", "User-Agent", UA);
            awaitUniques(app, "home", 1);
            assertEquals(3, redis.valueOf("page:home"), "three views");

            post(app, "home", "User-Agent", UA + " other");
            badge(app, "home", "", "User-Agent", SAFARI);
            post(app, "home", "User-Agent", SAFARI);
            awaitUniques(app, "home", 3);
            assertEquals(Map.of("today", 3L, "last7Days", 3L), uniques(read(app, "home").body()));

            String today = badge(app, "home", "value=uniques-today").body();
            assertTrue(today.contains("aria-label=\"visitors today: 3\""), today);
            String week = badge(app, "home", "value=uniques-7d&label=readers").body();
            assertTrue(week.contains("aria-label=\"readers: 3\""), week);
            assertEquals(6, redis.valueOf("page:home"), "badges of visitors count no view");

            post(app, "other", "User-Agent", UA);
            awaitUniques(app, "other", 1);
            awaitUniques(app, "home", 3);
        }
    }

    @Test
    void behindATrustedProxyTheForwardedAddressIsTheVisitor() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(),
                     "TRUSTED_PROXIES", "127\\.0\\.0\\.1"))) {
            for (String client : List.of("203.0.113.1", "203.0.113.2", "203.0.113.1", "203.0.113.3")) {
                assertEquals(200, post(app, "proxied", "User-Agent", UA, "X-Forwarded-For", client).statusCode());
            }
            awaitUniques(app, "proxied", 3);
            // A client's own X-Forwarded-For before the proxy's: the proxy's last entry is the one believed.
            post(app, "proxied", "User-Agent", UA, "X-Forwarded-For", "198.51.100.9, 203.0.113.1");
            awaitUniques(app, "proxied", 3);
            // Whatever a client puts there is only ever hashed: never a 500.
            for (String forwarded : List.of("not-an-address", "<script>", "1.2.3.4, , ,", "::1", "", "a".repeat(4000))) {
                assertEquals(200, post(app, "odd", "User-Agent", UA, "X-Forwarded-For", forwarded).statusCode(),
                        forwarded);
            }
        }
    }

    @Test
    void withoutTrustedProxiesXForwardedForIsIgnored() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.withRedis(redis)) {
            for (String client : List.of("203.0.113.1", "203.0.113.2", "203.0.113.3")) {
                assertEquals(200, post(app, "direct", "User-Agent", UA, "X-Forwarded-For", client).statusCode());
            }
            awaitUniques(app, "direct", 1);
        }
    }

    @Test
    void uniqueVisitorsFalseReportsAndStoresNone() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "UNIQUE_VISITORS", "false"))) {
            post(app, "quiet", "User-Agent", UA);
            badge(app, "quiet", "", "User-Agent", SAFARI);
            String json = read(app, "quiet").body();
            assertEquals("{\"page\":\"quiet\",\"views\":2}", json.strip());
            assertFalse(json.contains("uniqueVisitors"), json);
            String today = badge(app, "quiet", "value=uniques-today").body();
            assertTrue(today.contains(">n/a</text>"), today);
            Thread.sleep(300);
            // "views" is GET /'s key, which the start-up check and /readyz touch with INCRBY 0.
            // The page's views of the day (issue 24) hold a number of views, no visitor.
            assertEquals(Set.of("views", "page:quiet", "page:known:pages", "page:days:quiet:" + java.time.LocalDate.now(
                    java.time.ZoneOffset.UTC)), redis.client().keys("*"), "no visitors in Redis");
        }
    }

    @Test
    void withoutRedisTheLogSaysUniqueVisitorsAreOffAndTheirBadgesShowNotAvailable() throws Exception {
        // Issue 21 item 18: UNIQUE_VISITORS defaults to true, and the log said so in memory too.
        try (LogLines log = LogLines.of("");
             RunningApp app = RunningApp.start(Map.of())) {
            assertEquals(200, post(app, "memory", "User-Agent", UA).statusCode());
            String json = read(app, "memory").body();
            assertEquals("{\"page\":\"memory\",\"views\":1}", json.strip());
            for (String value : List.of("uniques-today", "uniques-7d")) {
                String svg = badge(app, "memory", "value=" + value).body();
                assertTrue(svg.contains(">n/a</text>"), svg);
            }
            String starting = log.lines().stream().filter(line -> line.contains("hit-counter starting")).findFirst()
                    .orElseThrow();
            assertTrue(starting.contains("UNIQUE_VISITORS=off (unique visitors need Redis)"), starting);
            assertFalse(starting.contains("UNIQUE_VISITORS=true"), starting);
            assertTrue(log.lines().stream().noneMatch(line -> line.contains("UNIQUE_VISITORS_SECRET_FILE is unset")),
                    "no secret is needed without Redis: " + log.lines());
        }
    }

    @Test
    void noKeyValueOrLogLineHoldsTheIpOrTheUserAgent() throws Exception {
        String ip = "198.51.100.77";
        String agent = "PrivacyProbe/9c41e2 (unique-marker)";
        try (LogLines log = LogLines.of("");
             RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(),
                     "TRUSTED_PROXIES", "127\\.0\\.0\\.1"))) {
            for (int i = 0; i < 5; i++) {
                post(app, "private", "User-Agent", agent, "X-Forwarded-For", ip);
                badge(app, "private", "", "User-Agent", agent, "X-Forwarded-For", ip);
            }
            awaitUniques(app, "private", 1);
            Set<String> keys = redis.client().keys("*");
            assertTrue(keys.stream().anyMatch(key -> key.startsWith("page:uniques:private:")), "" + keys);
            assertTrue(keys.stream().noneMatch(key -> key.contains("salt")), "no salt: " + keys);
            for (String key : keys) {
                assertFalse(key.contains(ip) || key.contains(agent) || key.contains("PrivacyProbe"), key);
                byte[] value = redis.client().dump(key.getBytes(StandardCharsets.UTF_8));
                String text = new String(value, StandardCharsets.ISO_8859_1);
                for (String secret : List.of(ip, agent, "PrivacyProbe", "198.51.100")) {
                    assertFalse(text.contains(secret), key + " holds " + secret);
                }
                long ttl = redis.client().ttl(key);
                if (key.startsWith("page:uniques:")) {
                    assertTrue(ttl > 0 && ttl <= Duration.ofDays(8).toSeconds(), key + " expires in 8 days: " + ttl);
                }
            }
            assertTrue(log.lines().stream().anyMatch(line -> line.contains("hit-counter starting")),
                    "the app's log was captured: " + log.lines());
            assertTrue(log.lines().stream().anyMatch(line -> line.startsWith("WARNING UNIQUE_VISITORS_SECRET_FILE is "
                    + "unset") && line.contains("Replicas must share one secret file")), "warned: " + log.lines());
            for (String line : log.lines()) {
                assertFalse(line.contains(ip) || line.contains("PrivacyProbe"), "logged: " + line);
            }
        }
    }

    @Test
    void theAppendOnlyFileAndSlowlogHoldNoSaltAndOnlyValuesKeyedByTheSecret(@TempDir Path dir) throws Exception {
        // Issue 21 item 3: whatever reaches Redis stays in its files; without the secret no guess can be tested.
        String secretText = "disk-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
        Path secretFile = Files.writeString(dir.resolve("unique-visitors-secret"), secretText + "\n");
        byte[] secret = secretText.getBytes(StandardCharsets.UTF_8);
        List<List<String>> visits = List.of(
                List.of("203.0.113.10", "Mozilla/5.0 (X11; Linux x86_64) DiskProbe/1", "home"),
                List.of("203.0.113.11", "Mozilla/5.0 (X11; Linux x86_64) DiskProbe/1", "home"),
                List.of("198.51.100.7", "Mozilla/5.0 (Macintosh) DiskProbe/2", "blog.post-1"));
        try (RedisServerProcess redis = RedisServerProcess.start("--save", "", "--appendonly", "yes",
                "--appendfsync", "always", "--slowlog-log-slower-than", "0", "--slowlog-max-len", "100000");
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url(), "TRUSTED_PROXIES", "127\\.0\\.0\\.1",
                     "UNIQUE_VISITORS_SECRET_FILE", secretFile.toString()))) {
            for (int round = 0; round < 2; round++) {
                for (List<String> visit : visits) {
                    assertEquals(200, post(app, visit.get(2), "User-Agent", visit.get(1),
                            "X-Forwarded-For", visit.get(0)).statusCode());
                }
            }
            awaitUniques(app, "home", 2);
            awaitUniques(app, "blog.post-1", 1);
            Set<String> keys = redis.client().keys("*");
            assertTrue(keys.stream().noneMatch(key -> key.contains("salt")), "no salt key: " + keys);

            RedisCommandsOnDisk disk = RedisCommandsOnDisk.in(redis.dataDir());
            List<List<byte[]>> slowlog = slowlogArguments(redis);
            assertTrue(slowlog.stream().anyMatch(args -> RedisCommandsOnDisk.text(args.get(0))
                    .equalsIgnoreCase("evalsha")), "the slowlog has the app's calls");

            Set<String> days = new TreeSet<>();
            Set<String> added = new TreeSet<>();
            for (List<byte[]> pfadd : disk.named("PFADD")) {
                String key = RedisCommandsOnDisk.text(pfadd.get(1));
                String[] parts = key.split(":");
                assertEquals("page:uniques", parts[0] + ":" + parts[1], key);
                days.add(parts[3]);
                Set<String> expected = new TreeSet<>();
                for (List<String> visit : visits) {
                    if (visit.get(2).equals(parts[2])) {
                        expected.add(HexFormat.of().formatHex(ExpectedVisitorValues.value(
                                ExpectedVisitorValues.dayKey(secret, parts[3]), visit.get(0), visit.get(1),
                                visit.get(2))));
                    }
                }
                for (byte[] element : pfadd.subList(2, pfadd.size())) {
                    String hex = HexFormat.of().formatHex(element);
                    assertTrue(expected.contains(hex), key + " got " + hex + ", not a value keyed by the secret: "
                            + expected);
                    added.add(hex);
                }
            }
            assertEquals(3, added.size(), "each visitor's one keyed value is what went to disk: " + added);

            List<byte[]> forbidden = new ArrayList<>(List.of(secret));
            days.add(LocalDate.now(ZoneOffset.UTC).toString());
            for (String day : days) {
                byte[] dayKey = ExpectedVisitorValues.dayKey(secret, day);
                forbidden.addAll(List.of(dayKey, hex(dayKey), Base64.getEncoder().encode(dayKey)));
            }
            for (List<String> visit : visits) {
                forbidden.add(visit.get(0).getBytes(StandardCharsets.UTF_8));
                forbidden.add(visit.get(1).getBytes(StandardCharsets.UTF_8));
                for (byte[] unkeyed : ExpectedVisitorValues.unkeyed(visit.get(0), visit.get(1), visit.get(2))) {
                    forbidden.addAll(List.of(unkeyed, hex(unkeyed)));
                }
            }
            forbidden.add("salt".getBytes(StandardCharsets.UTF_8));
            for (byte[] file : disk.files()) {
                assertNoneIn(file, forbidden, "the append-only file");
            }
            for (List<byte[]> args : slowlog) {
                for (byte[] arg : args) {
                    assertNoneIn(arg, forbidden, "the slowlog");
                }
            }
        }
    }

    /** The arguments of every entry of {@code SLOWLOG GET}, as Redis recorded them. */
    @SuppressWarnings("unchecked")
    private static List<List<byte[]>> slowlogArguments(RedisServerProcess redis) {
        List<Object> entries = (List<Object>) redis.client().sendCommand(Protocol.Command.SLOWLOG, "GET", "100000");
        List<List<byte[]>> arguments = new ArrayList<>();
        for (Object entry : entries) {
            arguments.add((List<byte[]>) ((List<Object>) entry).get(3));
        }
        return arguments;
    }

    private static void assertNoneIn(byte[] haystack, List<byte[]> needles, String where) {
        for (byte[] needle : needles) {
            for (int i = 0; i + needle.length <= haystack.length; i++) {
                if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                    throw new AssertionError(where + " holds " + RedisCommandsOnDisk.text(needle) + " ("
                            + HexFormat.of().formatHex(needle) + ")");
                }
            }
        }
    }

    private static byte[] hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes).getBytes(StandardCharsets.US_ASCII);
    }

    /** Waits up to 2 s for the page's visitors today and in 7 days to be {@code expected}, and to stay so. */
    private static void awaitUniques(RunningApp app, String page, long expected) throws InterruptedException {
        // The views are answered first, their visitors added just after, in the same batch.
        Map<String, Long> wanted = Map.of("today", expected, "last7Days", expected);
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        Map<String, Long> seen = uniques(read(app, page).body());
        while (!seen.equals(wanted) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            seen = uniques(read(app, page).body());
        }
        Thread.sleep(200);
        assertEquals(wanted, uniques(read(app, page).body()), page);
    }
}
