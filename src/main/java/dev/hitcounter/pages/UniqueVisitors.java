package dev.hitcounter.pages;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import javax.crypto.Mac;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.RedisCommands;
import dev.hitcounter.counter.RedisFailures;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;

/**
 * Counts the unique visitors of a page per UTC day without storing who they are (issues 12 and 21): each visit adds
 * the first 16 bytes of HMAC-SHA256(the day's key, client IP, User-Agent, page) to the HyperLogLog
 * {@code prefix:uniques:page:YYYY-MM-DD}, in the batch's one {@code count-pages.lua} call.
 *
 * <p>The day's key comes from a secret that stays in the app ({@link DayKeys}), so what reaches Redis, its
 * append-only file and its slowlog cannot be tested against a guessed address without that secret, and the same
 * visitor on two days gives unrelated values. The HyperLogLogs expire 8 days after their last visit, so
 * {@link #lastSevenDays} always has its seven.
 */
final class UniqueVisitors implements UniqueVisits {

    static final Duration HYPERLOGLOG_LIFETIME = Duration.ofDays(8);
    static final int WEEK = 7;
    /** 128 bits: no two visitors of a page and day share a value in any number of visits a site can have. */
    static final int VALUE_BYTES = 16;

    private final RedisCommands redis;
    private final PageKeys pageKeys;
    private final String prefix;
    private final Clock clock;
    private final DayKeys keys;
    private final boolean hyperLogLogs;
    private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP2);

    /**
     * @param pool   the pool to borrow from now (as for {@code RedisCounter})
     * @param prefix the first part of every key, as for the page counts
     * @param clock  the time whose UTC date is "today"
     * @param keys   the key of each day's values
     */
    UniqueVisitors(Supplier<Pool<Connection>> pool, String prefix, Clock clock, DayKeys keys) {
        this(RedisCommands.pooled(pool), new PageKeys(prefix, false), prefix, clock, keys, true);
    }

    /**
     * As above, with the commands going to {@code redis} and the keys named by {@code pageKeys}; with
     * {@code hyperLogLogs} false the visitor values are made for {@code COUNT_ONCE_PER} only, and no HyperLogLog is
     * added to (issue 24 part 5).
     */
    UniqueVisitors(RedisCommands redis, PageKeys pageKeys, String prefix, Clock clock, DayKeys keys,
            boolean hyperLogLogs) {
        this.redis = redis;
        this.pageKeys = pageKeys;
        this.hyperLogLogs = hyperLogLogs;
        this.prefix = prefix;
        this.clock = clock;
        this.keys = keys;
    }

    /** One visit to count; its IP and User-Agent only ever go into a keyed value, and {@link #toString} hides them. */
    record Visit(String page, String clientIp, String userAgent) {

        @Override
        public String toString() {
            return "Visit[page=" + page + "]";
        }
    }

    /**
     * A batch's visits as the unique-visitor part of its {@code count-pages.lua} call: {@code keys} (each page's
     * HyperLogLog of the day) and {@code args} (their lifetime, then each page's number of values and its values), for
     * the pages in the order of the call.
     */
    record Batch(List<byte[]> keys, List<byte[]> args) {
    }

    /** The values of {@code visits} under today's key, for these pages. */
    Batch values(Collection<String> pages, List<Visit> visits) {
        LocalDate today = today();
        Mac mac = DayKeys.mac(keys.of(today));
        Map<String, List<byte[]>> byPage = new LinkedHashMap<>();
        for (Visit visit : visits) {
            byPage.computeIfAbsent(visit.page(), page -> new ArrayList<>())
                    .add(value(mac, visit.clientIp(), visit.userAgent(), visit.page()));
        }
        List<byte[]> keyNames = new ArrayList<>(pages.size());
        List<byte[]> args = new ArrayList<>(1 + pages.size() + visits.size());
        args.add(utf8(hyperLogLogs ? Long.toString(HYPERLOGLOG_LIFETIME.toSeconds()) : "0"));
        for (String page : pages) {
            if (hyperLogLogs) {
                keyNames.add(utf8(hyperLogLogKey(page, today)));
            }
            List<byte[]> ofPage = byPage.getOrDefault(page, List.of());
            args.add(utf8(Integer.toString(ofPage.size())));
            args.addAll(ofPage);
        }
        return new Batch(keyNames, args);
    }

    @Override
    public Optional<Counts> counts(String page) throws CounterUnavailableException {
        return Optional.of(new Counts(today(page), lastSevenDays(page)));
    }

    @Override
    public OptionalLong countToday(String page) throws CounterUnavailableException {
        return OptionalLong.of(today(page));
    }

    @Override
    public OptionalLong countLastSevenDays(String page) throws CounterUnavailableException {
        return OptionalLong.of(lastSevenDays(page));
    }

    /** The unique visitors of {@code page} today (UTC), estimated by {@code PFCOUNT} (about 0.81 % standard error). */
    long today(String page) throws CounterUnavailableException {
        return count(hyperLogLogKey(page, today()));
    }

    /** The unique visitors of {@code page} over today and the six days before: {@code PFCOUNT} of their union. */
    long lastSevenDays(String page) throws CounterUnavailableException {
        LocalDate today = today();
        String[] keyNames = new String[WEEK];
        for (int i = 0; i < WEEK; i++) {
            keyNames[i] = hyperLogLogKey(page, today.minusDays(i));
        }
        return count(keyNames);
    }

    /** The HyperLogLog of a page's visitors on a day. */
    String hyperLogLogKey(String page, LocalDate day) {
        return pageKeys.uniques(page, day);
    }

    private long count(String... keyNames) throws CounterUnavailableException {
        RedisCommands.Session connection = redis.open();
        try (connection) {
            return connection.execute(commands.pfcount(keyNames));
        } catch (JedisException e) {
            throw RedisFailures.afterSending(e);
        }
    }

    /** Today's date in UTC, whatever the clock's zone. */
    LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /**
     * A visitor's value under the day's key in {@code mac}; each part goes in with its length first, so that no two
     * different visits give the same bytes.
     */
    static byte[] value(Mac mac, String clientIp, String userAgent, String page) {
        for (String part : new String[] {clientIp, userAgent, page}) {
            byte[] bytes = utf8(part);
            mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
            mac.update(bytes);
        }
        return Arrays.copyOf(mac.doFinal(), VALUE_BYTES);
    }

    static byte[] utf8(String text) {
        return (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "UniqueVisitors[prefix=" + prefix + ", values keyed by a secret kept in the app]";
    }
}
