package dev.hitcounter.counter;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One thread that hands everything request threads queued to a sender at once: a batch is whatever queued up while
 * the batch before it was in flight, so one round trip to the store serves them all.
 *
 * <p>Threading: {@link #submit} runs on request threads and only queues; the sender runs on this batcher's thread,
 * one batch at a time. A sender that throws does not end the thread: its batch's items go to {@code broken}.
 *
 * @param <T> what is queued: a request waiting for its answer
 */
public final class Batcher<T> {

    /** Sends one batch and answers its items; runs on the batcher's thread. */
    public interface Sender<T> {

        void send(List<T> batch);
    }

    private static final Logger LOG = Logger.getLogger(Batcher.class.getName());

    private final Sender<T> sender;
    private final Consumer<T> broken;
    private final Supplier<List<T>> newQueue;
    private final Thread thread;
    private final Object lock = new Object();
    private List<T> queued;
    private boolean closed;
    /** The batch being sent, for {@link #close}: its items are answered by the sender, or abandoned at close. */
    private volatile List<T> inFlight = List.of();

    /**
     * @param name     the thread's name, also in its log lines
     * @param broken   answers an item of a batch whose sender threw (a 500: it may have counted)
     * @param newQueue makes each queue: a test's seam
     */
    public Batcher(String name, Sender<T> sender, Consumer<T> broken, Supplier<List<T>> newQueue) {
        this.sender = sender;
        this.broken = broken;
        this.newQueue = newQueue;
        this.queued = newQueue.get();
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Whether the thread that sends the batches is alive: false once closed, or if it died. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Queues {@code item} for the next batch; false once closed, and then nothing will answer it. */
    public boolean submit(T item) {
        boolean wasEmpty;
        synchronized (lock) {
            if (closed) {
                return false;
            }
            wasEmpty = queued.isEmpty();
            queued.add(item);
        }
        // The thread parks only after finding the queue empty, so waking it on the first item is enough.
        if (wasEmpty) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /**
     * Takes no more items, hands every item still waiting, queued or in the batch in flight, to {@code abandon}, and
     * gives that batch up to {@code millis} to finish before the thread is left behind (a daemon).
     */
    public void close(Consumer<T> abandon, long millis) {
        List<T> left;
        synchronized (lock) {
            closed = true;
            left = queued;
            queued = newQueue.get();
        }
        LockSupport.unpark(thread);
        left.forEach(abandon);
        inFlight.forEach(abandon);
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            List<T> batch = null;
            try {
                synchronized (lock) {
                    if (closed) {
                        return;
                    }
                    // Decided only here, under the lock: outside it, the live queue can fill while it is
                    // read, and iterating it then threw ConcurrentModificationException (issue 14).
                    if (!queued.isEmpty()) {
                        batch = queued;
                        queued = newQueue.get();
                    }
                }
                if (batch == null) {
                    LockSupport.park(this);
                } else {
                    inFlight = batch;
                    sender.send(batch);
                }
            } catch (Throwable e) {
                // A dead thread would leave every later request waiting for its timeout: log, answer, carry on.
                int items = batch == null ? 0 : batch.size();
                LOG.log(Level.SEVERE, thread.getName() + " failed on a batch of " + items
                        + (items == 1 ? " request" : " requests") + "; answered 500, carrying on", e);
                if (batch != null) {
                    batch.forEach(broken);
                }
            } finally {
                inFlight = List.of();
            }
        }
    }
}
