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
 * never a view.
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
        UniqueVisitors.Batch batch = uniques.get().hash(views.keySet(), visits);
        PageBatchScript.Reply reply = script.add(views, batch);
        try {
            uniques.get().settle(batch, reply.visitors().orElseThrow(), reply.outcomes());
        } catch (CounterUnavailableException e) {
            warn(visits.size(), e);
        }
        return reply.outcomes();
    }

    @Override
    public long views(String page) throws CounterUnavailableException {
        return script.views(page).orElse(0);
    }

    // The views are counted and answered already; only these visitors go uncounted. At most once a minute.
    private void warn(int visits, CounterUnavailableException e) {
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
            LOG.warning(() -> "Unique visitors of " + visits + " views were not recorded (" + e.getMessage()
                    + "); this line repeats at most once a minute");
        }
    }
}
