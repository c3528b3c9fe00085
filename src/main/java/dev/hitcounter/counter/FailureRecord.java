package dev.hitcounter.counter;

import java.util.Locale;

import dev.hitcounter.system.Metrics;

/** Writes down a failed command of the {@code GET /} counter: its kind's metric, then the outage or the bad values. */
final class FailureRecord {

    private final Metrics metrics;
    private final RedisOutage outage;
    private final BadValueLog badValues;

    FailureRecord(Metrics metrics, RedisOutage outage, String key) {
        this.metrics = metrics;
        this.outage = outage;
        this.badValues = new BadValueLog(key, RedisCounter.BAD_VALUE_LOG_INTERVAL_MILLIS);
    }

    /** Records {@code failure} and hands it back, to be thrown. */
    CounterUnavailableException record(CounterUnavailableException failure) {
        metrics.redisError(failure.kind().name().toLowerCase(Locale.ROOT));
        switch (failure.kind()) {
            // An exhausted pool says the app is busy, not that Redis is down.
            case POOL_EXHAUSTED -> { }
            // Redis is up and answers at once: the next view after the fix must count, so nothing fails fast.
            case REJECTED -> badValues.rejected(failure.getCause().getMessage());
            default -> outage.failed(failure);
        }
        return failure;
    }
}
