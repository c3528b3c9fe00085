package dev.hitcounter.pages;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.hitcounter.counter.CounterUnavailableException;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.Pool;

/**
 * Counts the unique visitors of a page per UTC day without storing who they are (issue 12): each visit adds
 * SHA-256(the day's salt, client IP, User-Agent, page) to the HyperLogLog {@code prefix:uniques:page:YYYY-MM-DD}.
 *
 * <p>The salt is 32 random bytes, created by whichever app instance needs it first ({@code SET … NX}), kept only in
 * Redis under {@code prefix:salt:YYYY-MM-DD} for two days and never logged or shown; once it expires, nobody can tell
 * whether a given IP and User-Agent are among the hashes, and the same visitor on two days gives unrelated hashes.
 * Day keys expire 8 days after their last visit, so {@link #lastSevenDays} always has its seven.
 */
final class UniqueVisitors {

    static final int SALT_BYTES = 32;
    static final Duration SALT_LIFETIME = Duration.ofDays(2);
    static final Duration DAY_KEY_LIFETIME = Duration.ofDays(8);
    static final int WEEK = 7;

    private final Supplier<Pool<Connection>> pool;
    private final String prefix;
    private final Clock clock;
    private final SecureRandom random;
    private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP2);

    /**
     * @param pool   the pool to borrow from now (as for {@code RedisCounter})
     * @param prefix the first part of every key, as for the page counts
     * @param clock  the time whose UTC date is "today"
     */
    UniqueVisitors(Supplier<Pool<Connection>> pool, String prefix, Clock clock, SecureRandom random) {
        this.pool = pool;
        this.prefix = prefix;
        this.clock = clock;
        this.random = random;
    }

    /** One visit to count; its IP and User-Agent are only ever hashed, and never shown by {@link #toString}. */
    record Visit(String page, String clientIp, String userAgent) {

        @Override
        public String toString() {
            return "Visit[page=" + page + "]";
        }
    }

    /** Adds one visit to today's visitors of {@code page}, as {@link #add} does. */
    void visit(String page, String clientIp, String userAgent) throws CounterUnavailableException {
        add(List.of(new Visit(page, clientIp, userAgent)));
    }

    /**
     * Adds visits (a coalesced batch) to today's visitors of their pages in two round trips, whatever their number:
     * one for the day's salt, one for a {@code PFADD} and an {@code EXPIRE} per page.
     */
    void add(List<Visit> visits) throws CounterUnavailableException {
        if (visits.isEmpty()) {
            return;
        }
        LocalDate today = today();
        Map<String, List<Visit>> byKey = new LinkedHashMap<>();
        for (Visit visit : visits) {
            byKey.computeIfAbsent(dayKey(visit.page(), today), key -> new ArrayList<>()).add(visit);
        }
        Connection connection = RedisFailures.borrow(pool);
        try (connection) {
            byte[] salt = salt(connection, today);
            Pipeline pipeline = new Pipeline(connection);
            List<Response<Long>> replies = new ArrayList<>();
            for (Map.Entry<String, List<Visit>> page : byKey.entrySet()) {
                byte[] key = page.getKey().getBytes(StandardCharsets.UTF_8);
                byte[][] hashes = page.getValue().stream()
                        .map(visit -> visitorHash(salt, visit.clientIp(), visit.userAgent(), visit.page()))
                        .toArray(byte[][]::new);
                replies.add(pipeline.pfadd(key, hashes));
                replies.add(pipeline.expire(key, DAY_KEY_LIFETIME.toSeconds()));
            }
            pipeline.sync();
            for (Response<Long> reply : replies) {
                reply.get();
            }
        } catch (JedisException e) {
            throw RedisFailures.afterSending(e);
        }
    }

    /** The unique visitors of {@code page} today (UTC), estimated by {@code PFCOUNT} (about 0.81 % standard error). */
    long today(String page) throws CounterUnavailableException {
        return count(dayKey(page, today()));
    }

    /** The unique visitors of {@code page} over today and the six days before: {@code PFCOUNT} of their union. */
    long lastSevenDays(String page) throws CounterUnavailableException {
        LocalDate today = today();
        String[] keys = new String[WEEK];
        for (int i = 0; i < WEEK; i++) {
            keys[i] = dayKey(page, today.minusDays(i));
        }
        return count(keys);
    }

    /** The HyperLogLog of a page's visitors on a day. */
    String dayKey(String page, LocalDate day) {
        if (page.indexOf(':') >= 0) {
            throw new IllegalArgumentException("not a page name: " + page);
        }
        return prefix + ":uniques:" + page + ":" + day;
    }

    /** Where a day's salt lives. */
    String saltKey(LocalDate day) {
        return prefix + ":salt:" + day;
    }

    private long count(String... keys) throws CounterUnavailableException {
        Connection connection = RedisFailures.borrow(pool);
        try (connection) {
            return connection.executeCommand(commands.pfcount(keys));
        } catch (JedisException e) {
            throw RedisFailures.afterSending(e);
        }
    }

    /** The day's salt: ours if no instance made one yet, else the one in Redis. One round trip. */
    private byte[] salt(Connection connection, LocalDate day) throws CounterUnavailableException {
        byte[] candidate = new byte[SALT_BYTES];
        random.nextBytes(candidate);
        String key = saltKey(day);
        Pipeline pipeline = new Pipeline(connection);
        Response<String> set = pipeline.set(key, Base64.getEncoder().encodeToString(candidate),
                SetParams.setParams().nx().ex(SALT_LIFETIME.toSeconds()));
        Response<String> stored = pipeline.get(key);
        pipeline.sync();
        set.get();
        String salt = stored.get();
        if (salt == null) {
            // Deleted between the SET and the GET: count nothing rather than hash with a salt nobody else has.
            throw new CounterUnavailableException(CounterUnavailableException.Kind.REFUSED,
                    "the salt of " + day + " vanished from Redis");
        }
        return Base64.getDecoder().decode(salt);
    }

    /** Today's date in UTC, whatever the clock's zone. */
    LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** Each part with its length first, so that no two different visits hash the same bytes. */
    static byte[] visitorHash(byte[] salt, String clientIp, String userAgent, String page) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (byte[] part : new byte[][] {salt, utf8(clientIp), utf8(userAgent), utf8(page)}) {
                sha256.update(ByteBuffer.allocate(Integer.BYTES).putInt(part.length).array());
                sha256.update(part);
            }
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String text) {
        return (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "UniqueVisitors[prefix=" + prefix + ", salt kept in Redis only]";
    }
}
