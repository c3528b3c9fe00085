package dev.hitcounter.counter;

/** The page-view count: one atomic increment per view, safe to call from any request thread. */
public interface Counter extends AutoCloseable {

    /** Adds one view and returns the new count, distinct for every call that returns. */
    long increment() throws CounterUnavailableException;

    /** Whether the store answers a ping within its timeout right now. */
    boolean isReady();

    @Override
    void close();
}
