package dev.hitcounter.owner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.RedisCommands;
import dev.hitcounter.counter.RedisFailures;
import dev.hitcounter.pages.PageKeys;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The owner's side in the Redis that counts the pages: the days that {@code count-pages.lua} counts, read in one
 * pipelined round trip; a set count and a removal each in one script ({@code set-page.lua}, {@code remove-page.lua}),
 * so that a batch of views runs wholly before or after them. Nothing is retried once it may have run.
 */
final class RedisOwnerStore implements OwnerStore {

    /** The days of unique-visitor HyperLogLogs kept (their lifetime in UniqueVisitors), and one for a clock ahead. */
    private static final int UNIQUE_DAYS = 9;
    private static final CommandObjects COMMANDS = new CommandObjects(RedisProtocol.RESP2);

    private final RedisCommands redis;
    private final PageKeys keys;
    private final Clock clock;
    private final int historyDays;
    private final int maxPages;
    private final String setScript = script("set-page.lua");
    private final String removeScript = script("remove-page.lua");

    RedisOwnerStore(RedisCommands redis, PageKeys keys, Clock clock, int historyDays, int maxPages) {
        this.redis = redis;
        this.keys = keys;
        this.clock = clock;
        this.historyDays = historyDays;
        this.maxPages = maxPages;
    }

    @Override
    public List<Day> history(String page, int days) throws CounterUnavailableException {
        LocalDate today = today();
        RedisCommands.Session connection = redis.open();
        try (connection) {
            AbstractPipeline pipeline = connection.pipelined();
            List<Response<List<String>>> replies = new ArrayList<>(days);
            for (int i = days - 1; i >= 0; i--) {
                replies.add(pipeline.hmget(keys.day(page, today.minusDays(i)), "views", "uniques"));
            }
            pipeline.sync();
            List<Day> history = new ArrayList<>(days);
            for (int i = 0; i < days; i++) {
                List<String> fields = replies.get(i).get();
                history.add(new Day(today.minusDays(days - 1L - i), number(fields.get(0)), number(fields.get(1))));
            }
            return history;
        } catch (JedisException e) {
            throw RedisFailures.afterSending(e);
        }
    }

    @Override
    public List<Summary> pages() throws CounterUnavailableException {
        LocalDate today = today();
        RedisCommands.Session connection = redis.open();
        try (connection) {
            AbstractPipeline names = connection.pipelined();
            Response<Set<String>> known = names.smembers(keys.knownPages());
            names.sync();
            List<String> pages = new ArrayList<>(known.get());
            AbstractPipeline pipeline = connection.pipelined();
            List<Response<String>> totals = new ArrayList<>();
            List<List<Response<String>>> weeks = new ArrayList<>();
            List<Response<Long>> uniques = new ArrayList<>();
            for (String page : pages) {
                totals.add(pipeline.get(keys.count(page)));
                List<Response<String>> week = new ArrayList<>(7);
                String[] hyperLogLogs = new String[7];
                for (int i = 0; i < 7; i++) {
                    week.add(pipeline.hget(keys.day(page, today.minusDays(i)), "views"));
                    hyperLogLogs[i] = keys.uniques(page, today.minusDays(i));
                }
                weeks.add(week);
                uniques.add(pipeline.pfcount(hyperLogLogs));
            }
            pipeline.sync();
            List<Summary> summaries = new ArrayList<>(pages.size());
            for (int p = 0; p < pages.size(); p++) {
                long week = 0;
                for (Response<String> day : weeks.get(p)) {
                    week += number(day.get());
                }
                summaries.add(new Summary(pages.get(p), number(totals.get(p).get()),
                        number(weeks.get(p).get(0).get()), week, uniques.get(p).get()));
            }
            return summaries;
        } catch (JedisException e) {
            throw RedisFailures.afterSending(e);
        }
    }

    @Override
    public SetOutcome set(String page, long views) throws CounterUnavailableException {
        Object reply = eval(setScript, List.of(keys.knownPages(), keys.count(page)),
                List.of(Integer.toString(maxPages), page, Long.toString(views)));
        return SetOutcome.valueOf(String.valueOf(reply));
    }

    @Override
    public boolean remove(String page) throws CounterUnavailableException {
        LocalDate today = today();
        List<String> pageKeys = new ArrayList<>();
        pageKeys.add(keys.knownPages());
        pageKeys.add(keys.count(page));
        // Every day still kept, and tomorrow's in case another replica's clock is ahead.
        for (int i = -1; i <= historyDays + 1; i++) {
            pageKeys.add(keys.day(page, today.minusDays(i)));
        }
        for (int i = -1; i <= UNIQUE_DAYS; i++) {
            pageKeys.add(keys.uniques(page, today.minusDays(i)));
        }
        pageKeys.add(keys.window(page));
        return Long.valueOf(1).equals(eval(removeScript, pageKeys, List.of(page)));
    }

    private Object eval(String script, List<String> keyNames, List<String> args) throws CounterUnavailableException {
        RedisCommands.Session connection = redis.open();
        try (connection) {
            // EVAL, not EVALSHA: these run rarely, and one call never needs a second try after NOSCRIPT.
            return connection.execute(COMMANDS.eval(script, keyNames, args));
        } catch (JedisException e) {
            throw RedisFailures.afterSending(e);
        }
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static long number(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String script(String name) {
        try (InputStream in = RedisOwnerStore.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
