package dev.hitcounter.counter;

import java.util.ArrayList;
import java.util.List;

import dev.hitcounter.system.AsyncAnswer;
import jakarta.servlet.AsyncContext;

/**
 * The requests one batch answered, completed together by one task on a request thread (issue 28).
 *
 * <p>{@code AsyncContext.complete()} called from the batch's own thread makes Tomcat hand that request to its request
 * threads, one task per request; on one core each such hand-off woke a request thread, which preempted the batch's
 * thread, finished one response and slept again. One task for the whole batch (through {@code AsyncContext.start},
 * a request thread of the connector) makes those hand-offs from a request thread that is already running. If no task
 * can be started (the first request is gone, or the connector is stopping) the requests are completed here.
 *
 * <p>Threading: filled and finished by the one thread that answers the batch.
 */
public final class BatchCompletions {

    private final List<AsyncContext> answered = new ArrayList<>();

    /** Completes {@code async} once the batch is answered, with the others of the batch. */
    void add(AsyncContext async) {
        answered.add(async);
    }

    /** Completes every request added, in one task on a request thread or, failing that, on this thread. */
    public void finish() {
        if (answered.isEmpty()) {
            return;
        }
        List<AsyncContext> all = List.copyOf(answered);
        answered.clear();
        if (all.size() == 1) {
            // One hand-off either way: the request's own is the shorter path.
            AsyncAnswer.complete(all.get(0));
            return;
        }
        try {
            all.get(0).start(() -> all.forEach(AsyncAnswer::complete));
        } catch (RuntimeException e) {
            // The first request was completed by Tomcat already (client error), or the connector's executor refuses
            // work while it stops: each request still gets its complete().
            all.forEach(AsyncAnswer::complete);
        }
    }
}
