package dev.hitcounter.counter;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Tells the operator that the value under the counter's key is not a counter, quoting Redis's reply and how to fix
 * it: at most once a minute for each distinct reply, since every view meets the same reply until a person acts.
 */
final class BadValueLog {

    private static final Logger LOG = Logger.getLogger(BadValueLog.class.getName());
    private static final int MOST_REPLIES_REMEMBERED = 64;

    private final String key;
    private final long intervalNanos;
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    BadValueLog(String key, long intervalMillis) {
        this.key = key;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    /** Records one rejected increment; logs it unless the same reply was logged within the interval. */
    void rejected(String reply) {
        long now = System.nanoTime();
        Long last = lastLogged.get(reply);
        boolean due = last == null
                ? lastLogged.size() < MOST_REPLIES_REMEMBERED && lastLogged.putIfAbsent(reply, now) == null
                : now - last >= intervalNanos && lastLogged.replace(reply, last, now);
        if (!due) {
            return;
        }
        LOG.severe(() -> "Redis rejected the increment of key '" + key + "': \"" + reply + "\". The value under '"
                + key + "' is not a counter (not an integer, too large, or not a string), so no view is counted "
                + "until it is fixed: look with `redis-cli GET " + key + "` (or TYPE), then `redis-cli SET " + key
                + " <the last good count>` or `redis-cli DEL " + key + "` to start again from 1, or set COUNTER_KEY "
                + "to another key. Views are answered 500 meanwhile; this line repeats at most once a minute.");
    }
}
