package dev.hitcounter.pages;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.RedisCommands;
import dev.hitcounter.counter.RedisFailures;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.Pool;

/**
 * Counts a coalesced batch of page views with one {@code EVALSHA} of {@code count-pages.lua}: an {@code INCRBY} of
 * {@code prefix:page} per page, creating a new page only while the SET {@code prefix:known:pages} has fewer than
 * {@code maxPages} members, and, in the same call, the batch's unique visitors, each page's views of the day and its
 * {@code COUNT_ONCE_PER} window ({@link Days}, issue 24); then, with {@code REDIS_WAIT_REPLICAS},
 * a {@code WAIT} on the connection that ran it (issue 21); and reads a page's count without counting.
 *
 * <p>No call is ever retried once it may have run. The one exception proves it did not: a {@code NOSCRIPT} reply
 * (Redis restarted, failed over, or {@code SCRIPT FLUSH}), after which the batch is sent once more with the script's
 * text ({@code EVAL}, which also caches it): two round trips, not three, so that such a batch stays within the
 * views' answer timeout (issue 21 item 10).
 */
final class PageBatchScript {

    static final String SCRIPT_RESOURCE = "count-pages.lua";
    private static final String FULL = "FULL";

    private final RedisCommands redis;
    private final PageKeys keys;
    private final int maxPages;
    private final byte[] scriptBytes;
    private final byte[] shaBytes;
    private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP2);
    private final int waitReplicas;
    private final int waitMillis;
    private final Days days;

    /**
     * What the batch also does (issue 24): count each page's views of the UTC day of {@code clock}, kept
     * {@code historyDays} days (0: not at all), and count a visitor's views of a page once per {@code onceMillis}
     * (0: every view).
     */
    record Days(Clock clock, int historyDays, long onceMillis) {

        static final Days NONE = new Days(Clock.systemUTC(), 0, 0);

        boolean any() {
            return historyDays > 0 || onceMillis > 0;
        }

        long lifetimeSeconds() {
            // A day is kept historyDays whole days after it ends.
            return historyDays == 0 ? 0 : (historyDays + 1L) * 86_400L;
        }
    }

    /** As the full constructor, without waiting for replicas. */
    PageBatchScript(Supplier<Pool<Connection>> pool, String prefix, int maxPages) {
        this(pool, prefix, maxPages, 0, 0);
    }

    /**
     * @param pool         the pool to borrow from now (as for {@code RedisCounter})
     * @param prefix       the first part of every key: a page's count is under {@code prefix:page}
     * @param maxPages     how many pages may exist ({@code MAX_PAGES})
     * @param waitReplicas how many replicas must have a batch before its views are answered ({@code
     *                     REDIS_WAIT_REPLICAS}, 0: none)
     * @param waitMillis   the longest {@code WAIT} for them, below the read timeout as for {@code GET /}
     */
    PageBatchScript(Supplier<Pool<Connection>> pool, String prefix, int maxPages, int waitReplicas, int waitMillis) {
        this(RedisCommands.pooled(pool), new PageKeys(prefix, false), maxPages, waitReplicas, waitMillis, Days.NONE);
    }

    /** As above, with {@code days} also counted in the batch's one call. */
    PageBatchScript(Supplier<Pool<Connection>> pool, String prefix, int maxPages, int waitReplicas, int waitMillis,
            Days days) {
        this(RedisCommands.pooled(pool), new PageKeys(prefix, false), maxPages, waitReplicas, waitMillis, days);
    }

    /**
     * @param redis where the script goes: one Redis's pool, or a cluster (where {@code keys} are hash-tagged and
     *              {@code waitReplicas} is 0)
     * @param keys  the names of the keys
     * @param days  what the batch's one call also counts (issue 24)
     */
    PageBatchScript(RedisCommands redis, PageKeys keys, int maxPages, int waitReplicas, int waitMillis, Days days) {
        if (maxPages < 0) {
            throw new IllegalArgumentException("maxPages must not be negative: " + maxPages);
        }
        this.redis = redis;
        this.keys = keys;
        this.days = days;
        this.maxPages = maxPages;
        this.waitReplicas = waitReplicas;
        this.waitMillis = waitMillis;
        String script = readScript();
        this.scriptBytes = utf8(script);
        this.shaBytes = utf8(sha1Hex(script));
    }

    /** The key of a page's count. */
    String countKey(String page) {
        return keys.count(page);
    }

    /** The SET of the names of all pages that exist; its size is what {@code maxPages} bounds. */
    String knownPagesKey() {
        return keys.knownPages();
    }

    /**
     * Adds each page's views in one round trip and returns each page's outcome, in the order given.
     *
     * @throws CounterUnavailableException when the batch as a whole failed: see its kind for whether it may have
     *                                     counted
     */
    Map<String, PageOutcome> add(Map<String, Integer> viewsByPage) throws CounterUnavailableException {
        return send(viewsByPage, Optional.empty()).outcomes();
    }

    /**
     * What one call did: each page's outcome, and the HyperLogLogs to which the batch's visitors could not be added,
     * each as "key error-reply".
     */
    record Reply(Map<String, PageOutcome> outcomes, List<String> visitorFailures) {
    }

    /**
     * As {@link #add(Map)}, and in the same round trip adds the batch's visitor values to the day's HyperLogLog of each
     * page that was counted; {@code visitors} holds the pages in the order of {@code viewsByPage}.
     */
    Reply add(Map<String, Integer> viewsByPage, UniqueVisitors.Batch visitors) throws CounterUnavailableException {
        return send(viewsByPage, Optional.of(visitors));
    }

    private Reply send(Map<String, Integer> viewsByPage, Optional<UniqueVisitors.Batch> visitors)
            throws CounterUnavailableException {
        List<String> pages = new ArrayList<>(viewsByPage.keySet());
        List<byte[]> keys = new ArrayList<>(2 * pages.size() + 2);
        List<byte[]> args = new ArrayList<>(2 * pages.size() + 2);
        keys.add(utf8(knownPagesKey()));
        args.add(utf8(Integer.toString(maxPages)));
        args.add(utf8(Integer.toString(pages.size())));
        for (String page : pages) {
            keys.add(utf8(countKey(page)));
            args.add(utf8(page));
        }
        for (String page : pages) {
            int views = viewsByPage.get(page);
            if (views < 0) {
                throw new IllegalArgumentException("views of " + page + " must not be negative: " + views);
            }
            args.add(utf8(Integer.toString(views)));
        }
        visitors.ifPresent(batch -> {
            keys.addAll(batch.keys());
            args.addAll(batch.args());
        });
        if (days.any()) {
            if (visitors.isEmpty()) {
                // An empty visitors' part: no HyperLogLogs, no values.
                args.add(utf8("0"));
                pages.forEach(page -> args.add(utf8("0")));
            }
            args.add(utf8(Long.toString(days.lifetimeSeconds())));
            args.add(utf8(Long.toString(days.onceMillis())));
            LocalDate today = LocalDate.ofInstant(days.clock().instant(), ZoneOffset.UTC);
            if (days.historyDays() > 0) {
                pages.forEach(page -> keys.add(utf8(this.keys.day(page, today))));
            }
            if (days.onceMillis() > 0) {
                pages.forEach(page -> keys.add(utf8(this.keys.window(page))));
            }
        }
        RedisCommands.Session connection = redis.open();
        try (connection) {
            Object reply;
            try {
                reply = connection.execute(commands.evalsha(shaBytes, keys, args));
            } catch (JedisNoScriptException notLoaded) {
                // NOSCRIPT proves the script did not run, so this is the one safe second try; in a cluster, the
                // node without the script is a promoted replica or one that took the slot in a resharding.
                reply = connection.execute(commands.eval(scriptBytes, keys, args));
            }
            Reply parsed = reply(pages, reply, visitors.isPresent() || days.any());
            if (waitReplicas > 0 && parsed.outcomes().values().stream().anyMatch(PageOutcome.Counted.class::isInstance)) {
                awaitReplicas(connection);
            }
            return parsed;
        } catch (JedisException e) {
            throw RedisFailures.afterSending(e);
        }
    }

    /**
     * One {@code WAIT} on the connection that ran the script, so that it waits for this batch's writes: its views are
     * answered 200 only once enough replicas have them, as {@code GET /}'s are.
     */
    private void awaitReplicas(RedisCommands.Session connection) throws CounterUnavailableException {
        long acknowledged = connection.execute(commands.waitReplicas(waitReplicas, waitMillis));
        if (acknowledged < waitReplicas) {
            throw new CounterUnavailableException(CounterUnavailableException.Kind.NOT_REPLICATED,
                    acknowledged + " of the " + waitReplicas + " replicas required by REDIS_WAIT_REPLICAS"
                            + " acknowledged within " + waitMillis + " ms");
        }
    }

    /** The count of a page without counting it; empty when the page has never been counted. */
    OptionalLong views(String page) throws CounterUnavailableException {
        RedisCommands.Session connection = redis.open();
        try (connection) {
            String value = connection.execute(commands.get(countKey(page)));
            return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value));
        } catch (JedisException e) {
            throw RedisFailures.afterSending(e);
        } catch (NumberFormatException e) {
            throw new CounterUnavailableException(CounterUnavailableException.Kind.REJECTED,
                    "the value under " + countKey(page) + " is not a counter");
        }
    }

    private static Reply reply(List<String> pages, Object reply, boolean withVisitors) {
        List<?> replies = (List<?>) reply;
        int expected = pages.size() + (withVisitors ? 1 : 0);
        if (replies.size() != expected) {
            throw new IllegalStateException(replies.size() + " replies for " + pages.size() + " pages");
        }
        Map<String, PageOutcome> outcomes = new LinkedHashMap<>();
        for (int i = 0; i < pages.size(); i++) {
            outcomes.put(pages.get(i), outcome(replies.get(i)));
        }
        List<String> failures = new ArrayList<>();
        if (withVisitors) {
            for (Object failure : (List<?>) replies.get(pages.size())) {
                failures.add(text(failure));
            }
        }
        return new Reply(outcomes, failures);
    }

    private static String text(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static PageOutcome outcome(Object reply) {
        if (reply instanceof Long count) {
            return new PageOutcome.Counted(count);
        }
        String text = text(reply);
        if (text.equals(FULL)) {
            return new PageOutcome.Full();
        }
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            return new PageOutcome.Counted(Long.parseLong(text));
        }
        return new PageOutcome.Rejected(text);
    }

    private static String readScript() {
        try (InputStream in = PageBatchScript.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + SCRIPT_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-1 that {@code SCRIPT LOAD} answers for the script: EVALSHA needs no load while Redis has it. */
    static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
