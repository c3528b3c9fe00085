package dev.hitcounter.system;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import dev.hitcounter.counter.Counter;

/**
 * Asks the counter store whether it is ready on a thread of its own, one ping at a time: every
 * {@code /readyz} that arrives while a ping is running shares its answer, so no request thread
 * waits out a ping's timeouts and a burst of probes sends one ping.
 */
final class ReadinessProbe implements AutoCloseable {

    private final Counter counter;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread probe = new Thread(runnable, "readiness-probe");
        probe.setDaemon(true);
        return probe;
    });
    private CompletableFuture<Boolean> running = CompletableFuture.completedFuture(false);

    ReadinessProbe(Counter counter) {
        this.counter = counter;
    }

    /** The result of the ping running now, or of a new one if none is. */
    synchronized CompletableFuture<Boolean> check() {
        if (running.isDone()) {
            try {
                running = CompletableFuture.supplyAsync(counter::isReady, thread);
            } catch (RejectedExecutionException e) {
                // Stopping: not ready any more.
                return CompletableFuture.completedFuture(false);
            }
        }
        return running;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
