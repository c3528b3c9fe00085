package dev.hitcounter.counter;

import java.io.IOException;

import dev.hitcounter.system.Metrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Counts each view on its request thread, which waits for the store: one increment per view. */
final class BlockingViews implements Views {

    private final Counter counter;
    private final Metrics metrics;

    BlockingViews(Counter counter, Metrics metrics) {
        this.counter = counter;
        this.metrics = metrics;
    }

    @Override
    public void serve(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long views;
        try {
            views = counter.increment();
        } catch (CounterUnavailableException e) {
            if (e.mayHaveCounted()) {
                metrics.viewUncertain();
            }
            PendingView.PAGE.notCounted(response, e);
            return;
        }
        HomePageServlet.sendCount(response, views);
        metrics.viewServed();
    }
}
