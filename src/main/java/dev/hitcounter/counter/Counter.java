package dev.hitcounter.counter;

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

    @Override
    void close();
}
