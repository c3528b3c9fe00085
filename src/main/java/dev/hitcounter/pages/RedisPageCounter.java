package dev.hitcounter.pages;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import dev.hitcounter.counter.CounterUnavailableException;

/**
 * The page counts in Redis, one {@code count-pages.lua} call per batch ({@link PageBatchScript}), which with unique
 * visitors on also adds the batch's visitors ({@link UniqueVisitors}); a visitor count that fails loses visitors,
 * never a view, and is logged.
 */
final class RedisPageCounter implements PageCounter {

    private static final Logger LOG = Logger.getLogger(RedisPageCounter.class.getName());
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final PageBatchScript script;
    private final Optional<UniqueVisitors> uniques;
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    RedisPageCounter(PageBatchScript script, Optional<UniqueVisitors> uniques) {
        this.script = script;
        this.uniques = uniques;
    }

    @Override
    public Map<String, PageOutcome> add(Map<String, Integer> views, List<UniqueVisitors.Visit> visits)
            throws CounterUnavailableException {
        if (uniques.isEmpty() || visits.isEmpty()) {
            return script.add(views);
        }
        PageBatchScript.Reply reply = script.add(views, uniques.get().values(views.keySet(), visits));
        if (!reply.visitorFailures().isEmpty()) {
            warn(reply.visitorFailures());
        }
        return reply.outcomes();
    }

    @Override
    public long views(String page) throws CounterUnavailableException {
        return script.views(page).orElse(0);
    }

    // The views are counted; only these pages' visitors go uncounted until a person fixes the key. At most once a
    // minute, as a bad value under a counter's key is logged.
    private void warn(List<String> failures) {
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
            String key = failures.get(0).split(" ", 2)[0];
            LOG.warning(() -> "Unique visitors were not recorded under " + String.join("; ", failures)
                    + ". The value under such a key is not a HyperLogLog (someone wrote to it), so that page's "
                    + "visitors of the day are not counted while its views are: look with `redis-cli TYPE " + key
                    + "`, then `redis-cli DEL " + key + "` to start the day's count again. "
                    + "This line repeats at most once a minute.");
        }
    }
}
