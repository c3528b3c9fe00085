package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.testing.LogLines;
import dev.hitcounter.testing.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

/** count-pages.lua in a real redis-server: counts per page, one round trip per batch, the page bound under races. */
class PageBatchScriptIT {

    private RedisServerProcess redis;
    private RedisClient appClient;

    @BeforeEach
    void startRedis() {
        redis = RedisServerProcess.start();
        appClient = appClient();
    }

    @AfterEach
    void stopRedis() {
        appClient.close();
        redis.close();
    }

    @Test
    void countsEachPageOfABatchUnderItsOwnKey() throws Exception {
        PageBatchScript script = script(appClient, 10);
        assertEquals(Map.of("home", new PageOutcome.Counted(3), "about", new PageOutcome.Counted(1)),
                script.add(batch("home", 3, "about", 1)));
        assertEquals(Map.of("about", new PageOutcome.Counted(3), "blog.post-1", new PageOutcome.Counted(5)),
                script.add(batch("about", 2, "blog.post-1", 5)));
        assertEquals(3, redis.valueOf("page:home"));
        assertEquals(3, redis.valueOf("page:about"));
        assertEquals(5, redis.valueOf("page:blog.post-1"));
        assertEquals(Set.of("home", "about", "blog.post-1"), redis.client().smembers("page:known:pages"));
        assertEquals(0, redis.valueOf("views"), "the key of / is not touched");
    }

    @Test
    void readsAPageWithoutCountingIt() throws Exception {
        PageBatchScript script = script(appClient, 10);
        assertEquals(OptionalLong.empty(), script.views("home"));
        script.add(batch("home", 4));
        assertEquals(OptionalLong.of(4), script.views("home"));
        assertEquals(OptionalLong.of(4), script.views("home"));
        assertEquals(4, redis.valueOf("page:home"));
    }

    @Test
    void aBatchIsOneRoundTripWithOneIncrbyPerPage() throws Exception {
        PageBatchScript script = script(appClient, 100);
        script.add(batch("warm-up", 1));
        resetStats();
        script.add(batch("a", 1, "b", 2, "c", 3, "d", 4, "e", 5));
        String stats = redis.client().info("commandstats");
        assertEquals(1, calls(stats, "evalsha"), stats);
        assertEquals(5, calls(stats, "incrby"), stats);
        assertEquals(0, calls(stats, "script"), "loaded already: " + stats);
        assertEquals(Set.of("evalsha", "scard", "sismember", "incrby", "sadd"), commandsOfTheApp(stats),
                "EVALSHA, and within it the script's own commands: " + stats);
    }

    @Test
    void createsExactlyMaxPagesThenRefusesNewOnesAndStillCountsKnownOnes() throws Exception {
        PageBatchScript script = script(appClient, 3);
        Map<String, PageOutcome> first = script.add(batch("p1", 1, "p2", 1, "p3", 1, "p4", 1, "p5", 2));
        assertEquals(new PageOutcome.Counted(1), first.get("p1"));
        assertEquals(new PageOutcome.Counted(1), first.get("p3"));
        assertEquals(new PageOutcome.Full(), first.get("p4"));
        assertEquals(new PageOutcome.Full(), first.get("p5"));

        Map<String, PageOutcome> later = script.add(batch("p6", 1, "p2", 4, "p1", 1));
        assertEquals(new PageOutcome.Full(), later.get("p6"));
        assertEquals(new PageOutcome.Counted(5), later.get("p2"));
        assertEquals(new PageOutcome.Counted(2), later.get("p1"));

        assertEquals(Set.of("p1", "p2", "p3"), redis.client().smembers("page:known:pages"));
        for (String refused : List.of("p4", "p5", "p6")) {
            assertFalse(redis.client().exists("page:" + refused), refused + " was not created");
            assertEquals(OptionalLong.empty(), script.views(refused));
        }
    }

    @Test
    void afterScriptFlushTheBatchIsSentOnceMoreWithTheScriptAndCountsOnce() throws Exception {
        PageBatchScript script = script(appClient, 10);
        script.add(batch("home", 1));
        redis.client().scriptFlush();
        resetStats();
        assertEquals(Map.of("home", new PageOutcome.Counted(2)), script.add(batch("home", 1)));
        String stats = redis.client().info("commandstats");
        assertEquals(1, calls(stats, "evalsha"), "NOSCRIPT: " + stats);
        assertEquals(1, calls(stats, "eval"), "then the one retry, with the script: " + stats);
        assertEquals(0, calls(stats, "script"), "no SCRIPT LOAD round trip: " + stats);
        assertEquals(1, calls(stats, "incrby"), "counted once: " + stats);
        assertEquals(2, redis.valueOf("page:home"));
        resetStats();
        assertEquals(Map.of("home", new PageOutcome.Counted(3)), script.add(batch("home", 1)));
        stats = redis.client().info("commandstats");
        assertEquals(1, calls(stats, "evalsha"), "EVAL cached the script for the next batch: " + stats);
        assertEquals(0, calls(stats, "eval"), stats);
    }

    @Test
    void aBadValueUnderOnePageKeyRejectsThatPageOnly() throws Exception {
        PageBatchScript script = script(appClient, 10);
        script.add(batch("good", 1, "list", 1, "text", 1, "max", 1));
        redis.client().del("page:list");
        redis.client().rpush("page:list", "x");
        redis.client().set("page:text", "abc");
        redis.client().set("page:max", String.valueOf(Long.MAX_VALUE));
        Map<String, PageOutcome> outcomes = script.add(batch("list", 1, "text", 1, "max", 1, "good", 1));
        assertTrue(((PageOutcome.Rejected) outcomes.get("list")).reply().startsWith("WRONGTYPE"), outcomes.toString());
        assertTrue(((PageOutcome.Rejected) outcomes.get("text")).reply().startsWith("ERR value is not an integer"),
                outcomes.toString());
        assertTrue(((PageOutcome.Rejected) outcomes.get("max")).reply().startsWith("ERR increment or decrement would"),
                outcomes.toString());
        assertEquals(new PageOutcome.Counted(2), outcomes.get("good"));
        assertEquals("abc", redis.client().get("page:text"));
    }

    @Test
    void aForeignValueUnderAHyperLogLogIsSkippedAndReportedWhileItsPageIsCounted() throws Exception {
        // Issue 21 item 8: no time-to-live on a key the script could not add to, and the failure reaches the log.
        UniqueVisitors uniques = new UniqueVisitors(appClient::getPool, "page",
                Clock.fixed(Instant.parse("2026-03-10T12:00:00Z"), ZoneOffset.UTC),
                new DayKeys("page-batch-script-it-secret-0123456789".getBytes(StandardCharsets.UTF_8)));
        String foreign = "page:uniques:home:2026-03-10";
        redis.client().set(foreign, "not a HyperLogLog");
        PageBatchScript script = script(appClient, 10);
        List<UniqueVisitors.Visit> visits = List.of(new UniqueVisitors.Visit("home", "203.0.113.7", "curl/8.5.0"),
                new UniqueVisitors.Visit("about", "203.0.113.7", "curl/8.5.0"));
        PageBatchScript.Reply reply = script.add(batch("home", 1, "about", 1),
                uniques.values(List.of("home", "about"), visits));

        assertEquals(Map.of("home", new PageOutcome.Counted(1), "about", new PageOutcome.Counted(1)),
                reply.outcomes());
        assertEquals(1, reply.visitorFailures().size(), reply.visitorFailures().toString());
        assertTrue(reply.visitorFailures().get(0).startsWith(foreign + " WRONGTYPE"), reply.visitorFailures().get(0));
        assertEquals(-1, redis.client().ttl(foreign), "no time-to-live on the key whose PFADD failed");
        assertEquals("not a HyperLogLog", redis.client().get(foreign));
        assertEquals(1, uniques.today("about"), "the other page's visitor is added");
        assertTrue(redis.client().ttl("page:uniques:about:2026-03-10") > 0);

        try (LogLines log = LogLines.of(RedisPageCounter.class.getName())) {
            assertEquals(Map.of("home", new PageOutcome.Counted(2)), new RedisPageCounter(script, Optional.of(uniques))
                    .add(Map.of("home", 1), List.of(visits.get(0))));
            assertTrue(log.lines().stream().anyMatch(line -> line.startsWith("WARNING") && line.contains(foreign)
                    && line.contains("WRONGTYPE") && line.contains("redis-cli DEL " + foreign)), log.lines().toString());
        }
        assertEquals(2, redis.valueOf("page:home"));
        assertEquals(-1, redis.client().ttl(foreign));
    }

    @Test
    void aNewPageWhoseKeyHoldsABadValueIsNotCreated() throws Exception {
        PageBatchScript script = script(appClient, 10);
        redis.client().set("page:stray", "abc");
        assertInstanceOf(PageOutcome.Rejected.class, script.add(batch("stray", 1)).get("stray"));
        assertFalse(redis.client().sismember("page:known:pages", "stray"));
    }

    @Test
    void countsAboveTwoToThe53AreExact() throws Exception {
        PageBatchScript script = script(appClient, 10);
        script.add(batch("big", 1));
        redis.client().set("page:big", "9007199254740993");
        assertEquals(new PageOutcome.Counted(9007199254740996L), script.add(batch("big", 3)).get("big"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "maxmemory               | 1 | 0 | OOM",
        "min-replicas-to-write   | 1 | 0 | NOREPLICAS",
    })
    void aRedisThatRefusesWritesCountsNothingOfTheBatch(String setting, String refuse, String accept, String reply)
            throws Exception {
        PageBatchScript script = script(appClient, 10);
        script.add(batch("home", 1));
        redis.client().configSet(setting, refuse);
        CounterUnavailableException refused = assertThrows(CounterUnavailableException.class,
                () -> script.add(batch("home", 1, "new", 1)));
        redis.client().configSet(setting, accept);
        assertEquals(CounterUnavailableException.Kind.REFUSED, refused.kind(), refused.getMessage());
        assertTrue(refused.getMessage().contains(reply), refused.getMessage());
        assertFalse(refused.mayHaveCounted());
        assertEquals(1, redis.valueOf("page:home"));
        assertFalse(redis.client().exists("page:new"));
        assertEquals(Set.of("home"), redis.client().smembers("page:known:pages"));
        assertEquals(Map.of("home", new PageOutcome.Counted(2)), script.add(batch("home", 1)), "counts once accepted");
    }

    @Test
    void aReplicaRefusesTheBatchWithReadOnly() throws Exception {
        try (RedisServerProcess replica = RedisServerProcess.start("--save", "", "--appendonly", "no",
                "--replicaof", "127.0.0.1", String.valueOf(redis.port()));
             RedisClient toReplica = RedisClient.builder().hostAndPort("127.0.0.1", replica.port()).build()) {
            PageBatchScript script = new PageBatchScript(toReplica::getPool, "page", 10);
            CounterUnavailableException refused = assertThrows(CounterUnavailableException.class,
                    () -> script.add(batch("home", 1)));
            assertEquals(CounterUnavailableException.Kind.REFUSED, refused.kind(), refused.getMessage());
            assertTrue(refused.getMessage().contains("READONLY"), refused.getMessage());
        }
    }

    @Test
    void twoAppInstancesCreatingPagesAtOnceCreateExactlyMaxPages() throws Exception {
        int maxPages = 150;
        int threadsPerInstance = 2;
        int batchesPerThread = 40;
        int pagesPerBatch = 10;
        try (RedisClient secondInstance = appClient()) {
            List<PageBatchScript> instances = List.of(script(appClient, maxPages), script(secondInstance, maxPages));
            Set<String> created = ConcurrentHashMap.newKeySet();
            Set<String> full = ConcurrentHashMap.newKeySet();
            ExecutorService threads = Executors.newFixedThreadPool(instances.size() * threadsPerInstance);
            CountDownLatch start = new CountDownLatch(1);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int instance = 0; instance < instances.size(); instance++) {
                    for (int thread = 0; thread < threadsPerInstance; thread++) {
                        PageBatchScript script = instances.get(instance);
                        String name = "i" + instance + "t" + thread;
                        done.add(threads.submit(() -> {
                            start.await();
                            for (int b = 0; b < batchesPerThread; b++) {
                                Map<String, Integer> batch = new LinkedHashMap<>();
                                for (int p = 0; p < pagesPerBatch; p++) {
                                    batch.put(name + "-b" + b + "-p" + p, 1);
                                }
                                script.add(batch).forEach((page, outcome) -> {
                                    if (outcome instanceof PageOutcome.Counted) {
                                        created.add(page);
                                    } else {
                                        assertInstanceOf(PageOutcome.Full.class, outcome);
                                        full.add(page);
                                    }
                                });
                            }
                            return null;
                        }));
                    }
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }
            System.out.println("PageBatchScriptIT race: pages created by instance 0: "
                    + created.stream().filter(page -> page.startsWith("i0")).count() + ", by instance 1: "
                    + created.stream().filter(page -> page.startsWith("i1")).count());
            int attempted = instances.size() * threadsPerInstance * batchesPerThread * pagesPerBatch;
            assertEquals(maxPages, created.size(), "pages answered as counted");
            assertEquals(attempted - maxPages, full.size(), "pages answered as full");
            assertEquals(created, redis.client().smembers("page:known:pages"));
            assertEquals(maxPages + 1, redis.client().dbSize(), "the set and one counter per created page");
            for (String page : created) {
                assertEquals(1, redis.valueOf("page:" + page), page);
            }
        }
    }

    private RedisClient appClient() {
        return RedisClient.builder().hostAndPort("127.0.0.1", redis.port()).build();
    }

    private static PageBatchScript script(RedisClient client, int maxPages) {
        return new PageBatchScript(client::getPool, "page", maxPages);
    }

    private static Map<String, Integer> batch(Object... pagesAndViews) {
        Map<String, Integer> batch = new LinkedHashMap<>();
        for (int i = 0; i < pagesAndViews.length; i += 2) {
            batch.put((String) pagesAndViews[i], (Integer) pagesAndViews[i + 1]);
        }
        return batch;
    }

    private void resetStats() {
        redis.client().sendCommand(Protocol.Command.CONFIG, "RESETSTAT");
    }

    /**
     * The calls of one command in {@code INFO commandstats}, 0 when it was not called; Redis 7 lists subcommands apart
     * ({@code cmdstat_script|load}), Redis 6 under the command ({@code cmdstat_script}).
     */
    private static long calls(String stats, String command) {
        long calls = 0;
        for (String line : stats.split("\r\n")) {
            if (line.startsWith("cmdstat_") && commandOf(line).equals(command)) {
                calls += Long.parseLong(line.substring(line.indexOf("calls=") + 6, line.indexOf(',')));
            }
        }
        return calls;
    }

    private static String commandOf(String statsLine) {
        return statsLine.substring("cmdstat_".length(), statsLine.indexOf(':')).split("\\|")[0];
    }

    /** The commands in {@code INFO commandstats} apart from the test's own INFO and CONFIG. */
    private static Set<String> commandsOfTheApp(String stats) {
        Set<String> commands = new TreeSet<>();
        for (String line : stats.split("\r\n")) {
            if (line.startsWith("cmdstat_")) {
                commands.add(commandOf(line));
            }
        }
        commands.removeAll(Set.of("info", "config"));
        return commands;
    }
}
