package dev.hitcounter.counter;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Whether Redis is down, as far as the app can tell. An outage starts with the first failed
 * command and ends when a background ping succeeds; meanwhile requests fail fast instead of each
 * waiting out a timeout, so request threads do not pile up behind a hung Redis. It is logged once
 * when it starts and once when it ends.
 */
final class RedisOutage implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RedisOutage.class.getName());

    private final String where;
    private final BooleanSupplier ping;
    private final Runnable onStart;
    private final long probeIntervalMillis;
    private final AtomicLong downSince = new AtomicLong();
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "redis-outage-probe");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param ping                answers whether Redis replies to PING now, within its timeouts
     * @param onStart             runs once when an outage starts (drops stale pooled connections)
     * @param probeIntervalMillis pause between two pings during an outage
     */
    RedisOutage(String where, BooleanSupplier ping, Runnable onStart, long probeIntervalMillis) {
        this.where = where;
        this.ping = ping;
        this.onStart = onStart;
        this.probeIntervalMillis = probeIntervalMillis;
    }

    boolean isDown() {
        return downSince.get() != 0;
    }

    /** Records a failed command; the first failure of an outage logs it and starts probing. */
    void failed(CounterUnavailableException failure) {
        if (downSince.compareAndSet(0, System.nanoTime() | 1)) {
            // Refused credentials are a setting to fix, not an outage that passes: say which (issue 21 item 17).
            LOG.warning(() -> RedisFailures.loginRefusal(failure).isPresent()
                    ? RedisFailures.explain(failure, where) + "; answering 503 until it accepts them"
                    : "Redis at " + where + " is unavailable (" + failure.getMessage()
                            + "); answering 503 until it is back");
            onStart.run();
            scheduleProbe();
        }
    }

    /** Records a reply from Redis; ends an outage if one was going on. */
    void answered() {
        long since = downSince.get();
        if (since != 0 && downSince.compareAndSet(since, 0)) {
            long millis = (System.nanoTime() - since) / 1_000_000;
            LOG.info(() -> "Redis at " + where + " is back after " + millis + " ms");
        }
    }

    private void scheduleProbe() {
        try {
            prober.schedule(this::probe, probeIntervalMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing: nobody needs to know when Redis is back.
        }
    }

    private void probe() {
        if (!isDown()) {
            return;
        }
        if (ping.getAsBoolean()) {
            answered();
        } else {
            scheduleProbe();
        }
    }

    /**
     * Stops probing and waits, at most 10 s (the stop's grace period for requests), for a ping in
     * flight: it ignores the interrupt and ends within its timeouts, and a thread still running after
     * the app stops makes Tomcat warn that the app "failed to stop" it (issue 14).
     */
    @Override
    public void close() {
        prober.shutdownNow();
        try {
            prober.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
