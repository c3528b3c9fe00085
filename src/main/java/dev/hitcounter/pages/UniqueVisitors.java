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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.RedisFailures;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;

/**
 * Counts the unique visitors of a page per UTC day without storing who they are (issue 12): each visit adds
 * SHA-256(the day's salt, client IP, User-Agent, page) to the HyperLogLog {@code prefix:uniques:page:YYYY-MM-DD}.
 *
 * <p>The salt is 32 random bytes, created by whichever app instance needs it first, kept in Redis under
 * {@code prefix:salt:YYYY-MM-DD} for two days and never logged or shown; once it expires, nobody can tell whether a
 * given IP and User-Agent are among the hashes, and the same visitor on two days gives unrelated hashes. This class
 * hashes a batch's visits and hands them to the batch's one {@code count-pages.lua} call, which adds them only if
 * Redis holds the salt they were made with; it remembers the day's salt between batches so that a batch needs no
 * round trip of its own. Day keys expire 8 days after their last visit, so {@link #lastSevenDays} always has its
 * seven.
 */
final class UniqueVisitors implements UniqueVisits {

    static final Duration SALT_LIFETIME = Duration.ofDays(2);
    static final Duration DAY_KEY_LIFETIME = Duration.ofDays(8);
    static final int WEEK = 7;
    private static final String ADDED = "OK";
    private static final String NO_SALT = "NONE";

    private final Supplier<Pool<Connection>> pool;
    private final String prefix;
    private final Clock clock;
    private final SecureRandom random;
    private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP2);
    /** The salt of the day the last batch was on, as Redis confirmed it; null before that. */
    private volatile DaySalt confirmed;

    /**
     * @param pool   the pool to borrow from now (as for {@code RedisCounter})
     * @param prefix the first part of every key, as for the page counts
     * @param clock  the time whose UTC date is "today"
     * @param random where a new day's salt comes from
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

    /**
     * A batch's visits, hashed, as the unique-visitor part of its {@code count-pages.lua} call: {@code keys} (the
     * salt's, then each page's day key) and {@code args} (the salt's SHA-1, the salt if it is new, the two lifetimes,
     * then each page's number of hashes and its hashes), for the pages in the order of the call.
     */
    record Batch(DaySalt salt, boolean saltIsNew, List<Visit> visits, List<byte[]> keys, List<byte[]> args) {
    }

    /** Hashes {@code visits} with the day's salt (a new one if this instance knows none for today) for these pages. */
    Batch hash(Collection<String> pages, List<Visit> visits) {
        LocalDate today = today();
        DaySalt known = confirmed;
        boolean saltIsNew = known == null || !known.day().equals(today);
        DaySalt salt = saltIsNew ? DaySalt.random(today, random) : known;
        Map<String, List<byte[]>> hashes = hashesByPage(salt, visits);
        List<byte[]> keys = new ArrayList<>(pages.size() + 1);
        List<byte[]> args = new ArrayList<>(4 + pages.size() + visits.size());
        keys.add(utf8(saltKey(today)));
        args.add(utf8(salt.fingerprint()));
        args.add(utf8(saltIsNew ? salt.stored() : ""));
        args.add(utf8(Long.toString(SALT_LIFETIME.toSeconds())));
        args.add(utf8(Long.toString(DAY_KEY_LIFETIME.toSeconds())));
        for (String page : pages) {
            keys.add(utf8(dayKey(page, today)));
            List<byte[]> ofPage = hashes.getOrDefault(page, List.of());
            args.add(utf8(Integer.toString(ofPage.size())));
            args.addAll(ofPage);
        }
        return new Batch(salt, saltIsNew, visits, keys, args);
    }

    /**
     * Takes the script's answer about a batch's visitors: {@code OK} (added), the day's salt as stored (another
     * instance made it first, or Redis lost ours: the visits of the pages {@code outcomes} says were counted are hashed
     * again and added in one more round trip, which is safe because PFADD adds a hash once however often it is sent),
     * or {@code NONE}.
     *
     * @throws CounterUnavailableException when the visitors were not added; their views stay counted
     */
    void settle(Batch batch, String answer, Map<String, PageOutcome> outcomes) throws CounterUnavailableException {
        if (answer.equals(ADDED)) {
            if (batch.saltIsNew()) {
                confirmed = batch.salt();
            }
            return;
        }
        confirmed = null;
        if (answer.equals(NO_SALT)) {
            throw new CounterUnavailableException(CounterUnavailableException.Kind.REFUSED,
                    "Redis has no salt for " + batch.salt().day() + " and could not store one");
        }
        DaySalt stored;
        try {
            stored = DaySalt.fromStored(batch.salt().day(), answer);
        } catch (IllegalArgumentException e) {
            throw new CounterUnavailableException(CounterUnavailableException.Kind.REJECTED,
                    "the value under " + saltKey(batch.salt().day()) + " is not a salt");
        }
        confirmed = stored;
        List<Visit> counted = batch.visits().stream()
                .filter(visit -> outcomes.get(visit.page()) instanceof PageOutcome.Counted)
                .toList();
        add(stored, counted);
    }

    /** Adds visits hashed with {@code salt}: a PFADD and an EXPIRE per page, pipelined in one round trip. */
    private void add(DaySalt salt, List<Visit> visits) throws CounterUnavailableException {
        Map<String, List<byte[]>> hashes = hashesByPage(salt, visits);
        if (hashes.isEmpty()) {
            return;
        }
        Connection connection = RedisFailures.borrow(pool);
        try (connection) {
            Pipeline pipeline = new Pipeline(connection);
            List<Response<Long>> replies = new ArrayList<>();
            for (Map.Entry<String, List<byte[]>> page : hashes.entrySet()) {
                byte[] key = utf8(dayKey(page.getKey(), salt.day()));
                replies.add(pipeline.pfadd(key, page.getValue().toArray(byte[][]::new)));
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

    private static Map<String, List<byte[]>> hashesByPage(DaySalt salt, List<Visit> visits) {
        Map<String, List<byte[]>> byPage = new LinkedHashMap<>();
        for (Visit visit : visits) {
            byPage.computeIfAbsent(visit.page(), page -> new ArrayList<>())
                    .add(visitorHash(salt.bytes(), visit.clientIp(), visit.userAgent(), visit.page()));
        }
        return byPage;
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

    static byte[] utf8(String text) {
        return (text == null ? "" : text).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "UniqueVisitors[prefix=" + prefix + ", salt kept in Redis only]";
    }
}
