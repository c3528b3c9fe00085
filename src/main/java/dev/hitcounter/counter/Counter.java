package dev.hitcounter.counter;

import java.util.Optional;

/** The page-view count: atomic increments, safe to call from any request thread. */
public interface Counter extends AutoCloseable {

    /** Adds one view and returns the new count, distinct for every call that returns. */
    default long increment() throws CounterUnavailableException {
        return add(1);
    }

    /** Adds {@code views} in one atomic step and returns the new count. */
    long add(int views) throws CounterUnavailableException;

    /** Whether the store answers a ping within its timeout right now. */
    boolean isReady();

    /** Why the store would not count a view now, in words for {@code /readyz} and the log; empty when it would. */
    default Optional<String> notReadyBecause() {
        return isReady() ? Optional.empty() : Optional.of("the counter store does not answer");
    }

    @Override
    void close();
}
