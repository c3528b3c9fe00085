package dev.hitcounter.counter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Coalesces concurrent increments into one {@code add(n)} on the store, one batch in flight at a
 * time, and hands each caller its own count from the batch's result: the callers of a batch that
 * brought the count to {@code total} get {@code total - n + 1} … {@code total}, so every count is
 * still distinct and nothing is counted twice. A lone caller goes straight to the store.
 *
 * <p>Threading: the caller that finds no batch in flight becomes the leader and sends the batch
 * (itself plus everyone waiting) on its own thread; when it is done, it wakes the next waiting
 * caller to lead the following batch. If the store fails, every caller of that batch gets the
 * failure.
 */
public final class CoalescingCounter implements Counter {

    private final Counter store;
    private final Object lock = new Object();
    private List<Waiter> waiting = new ArrayList<>();
    private boolean inFlight;

    public CoalescingCounter(Counter store) {
        this.store = store;
    }

    @Override
    public long increment() throws CounterUnavailableException {
        Waiter me = new Waiter();
        boolean lead;
        synchronized (lock) {
            waiting.add(me);
            lead = !inFlight;
            inFlight = true;
        }
        if (lead || me.awaitResultOrPromotion()) {
            lead();
        }
        return me.count();
    }

    private void lead() {
        List<Waiter> batch;
        synchronized (lock) {
            batch = waiting;
            waiting = new ArrayList<>();
        }
        try {
            long total = store.add(batch.size());
            long first = total - batch.size() + 1;
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).counted(first + i);
            }
        } catch (CounterUnavailableException | RuntimeException e) {
            for (Waiter waiter : batch) {
                waiter.failed(e);
            }
        } finally {
            promoteNext();
        }
    }

    private void promoteNext() {
        Waiter next;
        synchronized (lock) {
            next = waiting.isEmpty() ? null : waiting.get(0);
            inFlight = next != null;
        }
        if (next != null) {
            next.promote();
        }
    }

    @Override
    public long add(int views) throws CounterUnavailableException {
        return store.add(views);
    }

    @Override
    public boolean isReady() {
        return store.isReady();
    }

    @Override
    public void close() {
        store.close();
    }

    /** One caller waiting for its count, or for its turn to lead a batch. */
    private static final class Waiter {
        private final Thread thread = Thread.currentThread();
        private volatile boolean leader;
        private volatile boolean done;
        private long count;
        private Exception failure;

        /** Parks until this caller has its result (false) or is to lead the next batch (true). */
        boolean awaitResultOrPromotion() {
            boolean interrupted = false;
            while (!done && !leader) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                thread.interrupt();
            }
            return !done;
        }

        void promote() {
            leader = true;
            LockSupport.unpark(thread);
        }

        void counted(long value) {
            count = value;
            done = true;
            LockSupport.unpark(thread);
        }

        void failed(Exception e) {
            failure = e;
            done = true;
            LockSupport.unpark(thread);
        }

        long count() throws CounterUnavailableException {
            if (failure instanceof CounterUnavailableException unavailable) {
                throw unavailable;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            return count;
        }
    }
}
