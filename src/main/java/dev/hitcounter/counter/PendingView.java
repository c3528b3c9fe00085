package dev.hitcounter.counter;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

import dev.hitcounter.system.AbandonedOnTimeout;
import dev.hitcounter.system.AsyncAnswer;
import dev.hitcounter.system.ErrorPages;
import dev.hitcounter.system.Metrics;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;

/**
 * One asynchronous counted request waiting for its batch ({@code GET /} in the {@link AsyncCoalescer}, a page's view
 * in the page coalescer). It is answered exactly once,
 * by whichever comes first: its batch's result, its async timeout, a client error or the shutdown;
 * and it lands in the view metrics once, when its batch's result is known.
 *
 * <p>Every method may run on any thread and never throws: a client that went away makes the
 * response throw, and that must not reach the coalescer's thread or the other views of a batch.
 */
public final class PendingView implements AbandonedOnTimeout {

    /** How a request of one kind is answered: its page with the count, or a page saying it was not counted. */
    public interface Answers {

        /** The answer with its count. */
        void counted(HttpServletResponse response, long views) throws IOException;

        /** The answer for a view the store refused for its stored value: 500, no retry helps until a person acts. */
        void rejected(HttpServletResponse response) throws IOException;

        /** The answer for a view given up before its result (timeout, shutdown): trying again may help. */
        void unavailable(HttpServletResponse response) throws IOException;

        /**
         * The answer for a view the store did not count: {@link #unavailable} (503 with {@code Retry-After}) while
         * trying again may help, else {@link #rejected} (docs/operations.md, "Error replies").
         */
        default void notCounted(HttpServletResponse response, CounterUnavailableException failure)
                throws IOException {
            if (failure.retryMayHelp()) {
                unavailable(response);
            } else {
                rejected(response);
            }
        }
    }

    /** The answers of {@code GET /}. */
    static final Answers PAGE = new Answers() {
        @Override
        public void counted(HttpServletResponse response, long views) throws IOException {
            HomePageServlet.sendCount(response, views);
        }

        @Override
        public void rejected(HttpServletResponse response) throws IOException {
            HomePageServlet.sendRejected(response);
        }

        @Override
        public void unavailable(HttpServletResponse response) throws IOException {
            HomePageServlet.sendUnavailable(response);
        }
    };

    private enum State {
        /** Waiting for a batch; nothing sent. */
        QUEUED,
        /** In a batch whose increment is in flight; the coalescer answers it. */
        SENT,
        /** Answered 503 while its increment was in flight; the result decides the metric. */
        ANSWERED_EARLY,
        /** Answered and accounted for. */
        DONE
    }

    private final AsyncContext async;
    private final Answers answers;
    private final Metrics metrics;
    private final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);

    public PendingView(AsyncContext async, Answers answers, Metrics metrics) {
        this.async = async;
        this.answers = answers;
        this.metrics = metrics;
    }

    /** Claims the view for a batch; false if it was answered already, and then it must not be counted. */
    public boolean markSent() {
        return state.compareAndSet(State.QUEUED, State.SENT);
    }

    /** Its batch counted it as {@code views}; its request is completed by {@code batch}. */
    public void counted(long views, BatchCompletions batch) {
        if (state.compareAndSet(State.SENT, State.DONE)) {
            if (write(HttpServletResponse.SC_OK, views)) {
                metrics.viewServed();
            } else {
                metrics.viewUncertain();
            }
            batch.add(async);
        } else if (state.compareAndSet(State.ANSWERED_EARLY, State.DONE)) {
            // Counted in the store, but the client was shown a 503.
            metrics.viewUncertain();
        }
    }

    /**
     * Answered with the count {@code views} although its batch did not count it (a bot's view, issue 24): no view in
     * the metrics; its request is completed by {@code batch}.
     */
    public void shown(long views, BatchCompletions batch) {
        if (state.compareAndSet(State.SENT, State.DONE)) {
            write(HttpServletResponse.SC_OK, views);
            batch.add(async);
        } else {
            state.compareAndSet(State.ANSWERED_EARLY, State.DONE);
        }
    }

    /** Its batch's store failed: answers the page for that failure; its request is completed by {@code batch}. */
    public void failed(CounterUnavailableException failure, BatchCompletions batch) {
        failed(response -> answers.notCounted(response, failure), failure.mayHaveCounted(), batch);
    }

    /** Nothing was sent for it and it gets {@code page} instead, e.g. a page refused before counting. */
    public void refused(AsyncAnswer.Body page, BatchCompletions batch) {
        failed(page, false, batch);
    }

    /** Its batch failed unexpectedly: answers the 500 page; the increment may have counted. */
    public void failedUnexpectedly() {
        BatchCompletions now = new BatchCompletions();
        failedUnexpectedly(now);
        now.finish();
    }

    /** As {@link #failedUnexpectedly()}; its request is completed by {@code batch}. */
    public void failedUnexpectedly(BatchCompletions batch) {
        failed(response -> ErrorPages.send(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR), true, batch);
    }

    private void failed(AsyncAnswer.Body page, boolean mayHaveCounted, BatchCompletions batch) {
        boolean answerNow = state.compareAndSet(State.SENT, State.DONE);
        if (!answerNow && !state.compareAndSet(State.ANSWERED_EARLY, State.DONE)) {
            return;
        }
        if (answerNow) {
            AsyncAnswer.write(async, page);
        }
        if (mayHaveCounted) {
            metrics.viewUncertain();
        }
        if (answerNow) {
            batch.add(async);
        }
    }

    /**
     * The coalescer failed on its batch in a way it did not foresee: answers 500 unless answered
     * already; a view that was sent may have been counted.
     */
    public void broken() {
        if (state.compareAndSet(State.QUEUED, State.DONE)) {
            AsyncAnswer.write(async,
                    response -> ErrorPages.send(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR));
            complete();
        } else {
            failedUnexpectedly();
        }
    }

    /** Answers 503 now, before any result: on an async timeout, a client error or the shutdown. */
    @Override
    public void abandon() {
        if (state.compareAndSet(State.QUEUED, State.DONE)
                || state.compareAndSet(State.SENT, State.ANSWERED_EARLY)) {
            write(HttpServletResponse.SC_SERVICE_UNAVAILABLE, 0);
            complete();
        }
    }

    /**
     * Writes the answer; false if the client could not be given it. The metrics are taken before
     * {@link #complete()}, so that they already include a view whose client has its answer.
     */
    private boolean write(int status, long views) {
        return AsyncAnswer.write(async, response -> {
            if (status == HttpServletResponse.SC_OK) {
                answers.counted(response, views);
            } else {
                answers.unavailable(response);
            }
        });
    }

    private void complete() {
        AsyncAnswer.complete(async);
    }
}
