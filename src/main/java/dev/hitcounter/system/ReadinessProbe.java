package dev.hitcounter.system;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks the app whether it is ready on a thread of its own, one check at a time: every
 * {@code /readyz} that arrives while a check is running shares its answer, so no request thread
 * waits out a ping's timeouts and a burst of probes sends one ping.
 */
final class ReadinessProbe implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReadinessProbe.class.getName());

    private static final Optional<String> STOPPING = Optional.of("the app is stopping");

    private final Readiness readiness;
    private final long closeWaitMillis;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread probe = new Thread(runnable, "readiness-probe");
        probe.setDaemon(true);
        threads.add(probe);
        return probe;
    });
    private CompletableFuture<Optional<String>> running = CompletableFuture.completedFuture(STOPPING);

    /** @param closeWaitMillis how long {@link #close()} waits for a check in flight: longer than a ping takes */
    ReadinessProbe(Readiness readiness, long closeWaitMillis) {
        this.readiness = readiness;
        this.closeWaitMillis = closeWaitMillis;
    }

    /** The result of the check running now, or of a new one if none is: empty when ready, else why not. */
    synchronized CompletableFuture<Optional<String>> check() {
        if (running.isDone()) {
            try {
                running = CompletableFuture.supplyAsync(this::problem, executor);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.completedFuture(STOPPING);
            }
        }
        return running;
    }

    /** Logs a check that throws once, where it ran: every probe sharing it only says that it failed. */
    private Optional<String> problem() {
        try {
            return readiness.problem();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the readiness check failed", e);
            throw e;
        }
    }

    /**
     * Stops the thread and waits, up to the bound, for a check in flight to end: a blocked socket read
     * ignores the interrupt, and a thread left running makes Tomcat warn on undeploy that the app
     * "failed to stop" it (issue 14).
     */
    @Override
    public void close() {
        executor.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(closeWaitMillis);
        try {
            for (Thread thread : threads) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    thread.join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
