package dev.hitcounter.counter;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.hitcounter.system.Metrics;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Counts through the counter of the primary the Sentinels name (or of a Redis Cluster), built once one of them
 * answers: until then the app is up, every view fails fast as unavailable (503) and readiness is false, and the
 * Sentinels (or the cluster's seed node) are asked again at most once per interval.
 *
 * <p>Jedis asks the Sentinels (or a cluster node for its map of slots) while it builds its client and throws if none
 * answers. In Compose or Kubernetes the
 * app often starts before them, and a servlet context that failed to start is never retried while Tomcat stays up.
 */
final class DiscoveringCounter implements Counter {

    /** Builds the counter, throwing a {@link JedisException} while no Sentinel answers. */
    interface Discovery {

        Counter discover();
    }

    private static final Logger LOG = Logger.getLogger(DiscoveringCounter.class.getName());

    private final Discovery discovery;
    private final String where;
    private final long retryNanos;
    private final LongSupplier nanoClock;
    private final Metrics metrics;
    private final Lock attempt = new ReentrantLock();
    private volatile Counter discovered;
    // Guarded by attempt.
    private long nextAttemptNanos;
    private boolean warned;
    private boolean closed;

    DiscoveringCounter(Discovery discovery, String where, long retryMillis, LongSupplier nanoClock, Metrics metrics) {
        this.discovery = discovery;
        this.where = where;
        this.retryNanos = retryMillis * 1_000_000;
        this.nanoClock = nanoClock;
        this.metrics = metrics;
        this.nextAttemptNanos = nanoClock.getAsLong();
        discover();
    }

    @Override
    public long add(int views) throws CounterUnavailableException {
        Counter counter = discover();
        if (counter == null) {
            metrics.redisError(CounterUnavailableException.Kind.CONNECT.name().toLowerCase(java.util.Locale.ROOT));
            throw new CounterUnavailableException(CounterUnavailableException.Kind.CONNECT,
                    "no answer yet from " + where);
        }
        return counter.add(views);
    }

    @Override
    public boolean isReady() {
        Counter counter = discover();
        return counter != null && counter.isReady();
    }

    /**
     * Whether the discovered counter knows Redis is down; while no Sentinel has named the primary, asks them first
     * (at most once per interval), so that the pages' reads and views start discovery too (issue 21 item 9).
     */
    boolean isKnownDown() {
        Counter counter = discover();
        return counter instanceof RedisCounter redis ? redis.isKnownDown()
                : counter instanceof RedisClusterCounter cluster && cluster.isKnownDown();
    }

    /** The counter, asking the Sentinels first if it is not built yet and no other thread is asking right now. */
    private Counter discover() {
        Counter counter = discovered;
        if (counter != null || !attempt.tryLock()) {
            return counter;
        }
        try {
            if (discovered != null || closed || nanoClock.getAsLong() - nextAttemptNanos < 0) {
                return discovered;
            }
            try {
                discovered = discovery.discover();
                LOG.info(() -> "Redis: " + where + " answered" + (warned ? " at last" : "") + "; counting there");
            } catch (JedisException e) {
                nextAttemptNanos = nanoClock.getAsLong() + retryNanos;
                if (!warned) {
                    warned = true;
                    LOG.log(Level.WARNING, () -> "Redis: no answer yet from " + where + " ("
                            + RedisFailures.explain(e, where) + "); answering 503 and asking again every " + retryNanos / 1_000_000 + " ms");
                }
            }
            return discovered;
        } finally {
            attempt.unlock();
        }
    }

    @Override
    public void close() {
        attempt.lock();
        try {
            closed = true;
            if (discovered != null) {
                discovered.close();
            }
        } finally {
            attempt.unlock();
        }
    }
}
