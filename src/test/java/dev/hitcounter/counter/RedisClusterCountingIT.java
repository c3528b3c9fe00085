package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.hitcounter.testing.RedisClusterProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Connection;

/**
 * {@code REDIS_CLUSTER=true} against a real Redis Cluster (3 primaries, 3 replicas): {@code GET /}, badges and the page
 * API count exactly under concurrency, {@code MAX_PAGES} holds under a race of two app instances (the pages' keys
 * share one hash slot, so the bound is one script call), and a node without the script (NOSCRIPT) counts once.
 */
class RedisClusterCountingIT {

    private static final Pattern VIEWS = Pattern.compile("\"views\":(\\d+)");

    private static RedisClusterProcess cluster;
    private static RunningApp app;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterProcess.start();
        app = RunningApp.start(Map.of("REDIS_URL", cluster.seedUrl(), "REDIS_CLUSTER", "true"));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void tenThousandConcurrentViewsGrowViewsByExactlyTenThousand() throws Exception {
        long before = cluster.valueOf("views");
        List<HttpResponse<String>> answers = concurrently(10_000, 32, i -> app.get("/"));
        Set<Long> counts = new HashSet<>();
        for (HttpResponse<String> answer : answers) {
            assertEquals(200, answer.statusCode(), answer.body());
            counts.add(RunningApp.countIn(answer.body()));
        }
        assertEquals(10_000, counts.size(), "every view got a count of its own");
        assertEquals(before + 10_000, cluster.valueOf("views"));
        assertEquals(200, app.get("/readyz").statusCode());
    }

    @Test
    void badgesAndThePageApiCountExactlyUnderHashTaggedKeys() throws Exception {
        List<HttpResponse<String>> answers = concurrently(2_000, 16, i -> i % 2 == 0
                ? app.get("/badge/cluster-" + (i % 10) + ".svg")
                : app.send(HttpRequest.newBuilder(app.uri("/api/pages/cluster-" + (i % 10) + "/views"))
                        .POST(HttpRequest.BodyPublishers.noBody())));
        for (HttpResponse<String> answer : answers) {
            assertEquals(200, answer.statusCode(), answer.body());
        }
        for (int page = 0; page < 10; page++) {
            assertEquals(200, cluster.valueOf("{page}:cluster-" + page), "the hash-tagged key of page " + page);
            assertNull(cluster.client().get("page:cluster-" + page), "no single-node key in cluster mode");
        }
        assertTrue(cluster.client().sismember("{page}:known:pages", "cluster-3"));
        HttpResponse<String> read = app.get("/api/pages/cluster-3");
        assertEquals(200, read.statusCode(), read.body());
        assertTrue(read.body().contains("\"views\":200"), read.body());
    }

    @Test
    void maxPagesHoldsExactlyUnderARaceOfTwoApps() throws Exception {
        Map<String, String> env = Map.of("REDIS_URL", cluster.seedUrl(), "REDIS_CLUSTER", "true",
                "PAGE_KEY_PREFIX", "race", "MAX_PAGES", "25");
        try (RunningApp first = RunningApp.start(env); RunningApp second = RunningApp.start(env)) {
            List<HttpResponse<String>> answers = concurrently(400, 16, i -> (i % 2 == 0 ? first : second)
                    .send(HttpRequest.newBuilder((i % 2 == 0 ? first : second).uri("/api/pages/p" + (i / 2 % 100)
                            + "/views")).POST(HttpRequest.BodyPublishers.noBody())));
            long counted = 0;
            for (HttpResponse<String> answer : answers) {
                assertTrue(answer.statusCode() == 200 || answer.statusCode() == 404, answer.statusCode() + answer.body());
                counted += answer.statusCode() == 200 ? 1 : 0;
            }
            assertEquals(25, cluster.client().scard("{race}:known:pages"), "exactly MAX_PAGES pages exist");
            long stored = 0;
            for (String page : cluster.client().smembers("{race}:known:pages")) {
                stored += cluster.valueOf("{race}:" + page);
            }
            assertEquals(counted, stored, "every 200 counted once, and nothing else");
        }
    }

    @Test
    void aNodeWithoutTheScriptLoadsItAndCountsOnce() throws Exception {
        assertEquals(200, postView("noscript").statusCode());
        long before = cluster.valueOf("{page}:noscript");
        for (Map.Entry<String, ConnectionPool> node : cluster.client().getClusterNodes().entrySet()) {
            try (Connection connection = node.getValue().getResource()) {
                connection.executeCommand(new redis.clients.jedis.CommandObject<>(
                        new redis.clients.jedis.CommandArguments(redis.clients.jedis.Protocol.Command.SCRIPT)
                                .add("FLUSH"), redis.clients.jedis.BuilderFactory.STRING));
            }
        }
        HttpResponse<String> after = postView("noscript");
        assertEquals(200, after.statusCode(), after.body());
        Matcher views = VIEWS.matcher(after.body());
        assertTrue(views.find(), after.body());
        assertEquals(before + 1, Long.parseLong(views.group(1)));
        assertEquals(before + 1, cluster.valueOf("{page}:noscript"));
    }

    @Test
    void aDatabaseOtherThanZeroIsRefusedAtStartUp() {
        IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> RunningApp.start(Map.of("REDIS_URL", cluster.seedUrl() + "/2", "REDIS_CLUSTER", "true")));
        String message = String.valueOf(refused.getCause().getMessage());
        assertTrue(message.contains("REDIS_URL") && message.contains("database 2"), message);
        assertFalse(message.contains("Exception"), message);
    }

    private static HttpResponse<String> postView(String page) {
        return app.send(HttpRequest.newBuilder(app.uri("/api/pages/" + page + "/views"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** Sends {@code total} requests from {@code threads} threads at once and returns every answer. */
    static List<HttpResponse<String>> concurrently(int total, int threads,
            Function<Integer, HttpResponse<String>> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            ConcurrentLinkedQueue<Integer> pending = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < total; i++) {
                pending.add(i);
            }
            ConcurrentLinkedQueue<HttpResponse<String>> answers = new ConcurrentLinkedQueue<>();
            List<Callable<Void>> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                senders.add(() -> {
                    for (Integer i = pending.poll(); i != null; i = pending.poll()) {
                        answers.add(request.apply(i));
                    }
                    return null;
                });
            }
            for (Future<Void> sender : pool.invokeAll(senders)) {
                sender.get();
            }
            assertEquals(total, answers.size());
            return new ArrayList<>(answers);
        } finally {
            pool.shutdownNow();
        }
    }
}
