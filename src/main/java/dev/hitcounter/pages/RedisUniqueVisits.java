package dev.hitcounter.pages;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import dev.hitcounter.counter.CounterUnavailableException;

/** The unique visitors kept in Redis by {@link UniqueVisitors}, for the page coalescer and the readers of counts. */
final class RedisUniqueVisits implements UniqueVisits {

    private static final Logger LOG = Logger.getLogger(RedisUniqueVisits.class.getName());
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;

    private final UniqueVisitors visitors;
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    RedisUniqueVisits(UniqueVisitors visitors) {
        this.visitors = visitors;
    }

    @Override
    public void record(List<UniqueVisitors.Visit> visits) {
        try {
            visitors.add(visits);
        } catch (CounterUnavailableException e) {
            // The views are counted and answered already; only these visitors go uncounted.
            long now = System.nanoTime();
            long last = lastLogNanos.get();
            if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
                LOG.warning(() -> "Unique visitors of " + visits.size() + " counted views were not recorded ("
                        + e.getMessage() + "); this line repeats at most once a minute");
            }
        }
    }

    @Override
    public Optional<Counts> counts(String page) throws CounterUnavailableException {
        return Optional.of(new Counts(visitors.today(page), visitors.lastSevenDays(page)));
    }
}
