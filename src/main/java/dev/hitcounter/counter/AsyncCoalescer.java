package dev.hitcounter.counter;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.hitcounter.system.Metrics;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Counts the views of {@code GET /} without holding a request thread while the store answers:
 * each request goes asynchronous and is queued, and the coalescer's one thread sends everything
 * queued as one {@code add(n)} and answers each request with its own count, {@code total - n + 1}
 * … {@code total}, or with the 503 page for the whole batch if the store failed. Nothing is ever
 * counted twice: a batch is sent once, never retried.
 *
 * <p>Threading: {@link #serve} runs on request threads and only queues; the store and the answers
 * of a batch run on the coalescer's thread, one batch at a time. A view whose async timeout, client
 * error or shutdown comes first is answered 503 by its {@link PendingView}, exactly once.
 */
public final class AsyncCoalescer implements Views, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AsyncCoalescer.class.getName());

    private final Counter store;
    private final Metrics metrics;
    private final long timeoutMillis;
    private final Batcher<PendingView> batcher;

    private AsyncCoalescer(Counter store, Metrics metrics, long timeoutMillis, Supplier<List<PendingView>> newQueue) {
        this.store = store;
        this.metrics = metrics;
        this.timeoutMillis = timeoutMillis;
        this.batcher = new Batcher<>("view-coalescer", this::send, PendingView::broken, newQueue);
    }

    /**
     * Starts the coalescer's thread.
     *
     * @param timeoutMillis how long a view may wait for its answer before it gets a 503; longer than
     *                      two round trips of the store at their slowest, since a view may wait for
     *                      the batch in flight before its own is sent
     */
    public static AsyncCoalescer start(Counter store, Metrics metrics, long timeoutMillis) {
        return start(store, metrics, timeoutMillis, ArrayList::new);
    }

    /** As {@link #start(Counter, Metrics, long)}, with queues from {@code newQueue}: a test's seam. */
    static AsyncCoalescer start(Counter store, Metrics metrics, long timeoutMillis,
            Supplier<List<PendingView>> newQueue) {
        AsyncCoalescer coalescer = new AsyncCoalescer(store, metrics, timeoutMillis, newQueue);
        coalescer.batcher.start();
        return coalescer;
    }

    /** Whether the thread that answers the views is alive: false once closed, or if it died. */
    public boolean isRunning() {
        return batcher.isRunning();
    }

    @Override
    public void serve(HttpServletRequest request, HttpServletResponse response) {
        AsyncContext async = request.startAsync();
        async.setTimeout(timeoutMillis);
        PendingView view = new PendingView(async, PendingView.PAGE, metrics);
        async.addListener(view);
        if (!batcher.submit(view)) {
            view.abandon();
        }
    }

    private void send(List<PendingView> batch) {
        List<PendingView> sent = new ArrayList<>(batch.size());
        for (PendingView view : batch) {
            if (view.markSent()) {
                sent.add(view);
            }
        }
        if (sent.isEmpty()) {
            return;
        }
        BatchCompletions completions = new BatchCompletions();
        try {
            long total = store.add(sent.size());
            long first = total - sent.size() + 1;
            for (int i = 0; i < sent.size(); i++) {
                sent.get(i).counted(first + i, completions);
            }
        } catch (CounterUnavailableException e) {
            for (PendingView view : sent) {
                view.failed(e, completions);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Counting " + sent.size() + " views failed", e);
            for (PendingView view : sent) {
                view.failedUnexpectedly(completions);
            }
        } finally {
            completions.finish();
        }
    }

    /**
     * Answers 503 to every view still waiting, queued or in flight, and stops the thread; a batch
     * in flight is given up to the timeout to finish before the store it uses is closed.
     */
    @Override
    public void close() {
        batcher.close(PendingView::abandon, timeoutMillis);
    }
}
