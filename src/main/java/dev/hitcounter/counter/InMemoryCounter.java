package dev.hitcounter.counter;

import java.util.concurrent.atomic.AtomicLong;

/** A counter that lives in this JVM only: for running without Redis; the count restarts at zero with the process. */
public final class InMemoryCounter implements Counter {

    private final AtomicLong views = new AtomicLong();

    @Override
    public long increment() {
        return views.incrementAndGet();
    }

    @Override
    public long add(int added) {
        return views.addAndGet(added);
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public void close() {
    }
}
