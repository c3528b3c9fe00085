package dev.hitcounter.counter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Closed-loop {@code POST /api/pages/{page}/views} from a few threads, recording every status until stopped. */
final class ClusterPageLoad implements AutoCloseable {

    private final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService threads;

    ClusterPageLoad(URI views, int concurrency) {
        threads = Executors.newFixedThreadPool(concurrency);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(views).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        for (int i = 0; i < concurrency; i++) {
            threads.submit(() -> {
                while (running.get()) {
                    try {
                        int status = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
                        statuses.add(status);
                        if (status != 200) {
                            Thread.sleep(5);
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }
            });
        }
    }

    /** Stops sending, waits for the answers in flight, and returns every status. */
    List<Integer> stop() throws InterruptedException {
        running.set(false);
        threads.shutdown();
        if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new AssertionError("page load threads did not finish");
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " page views failed without an HTTP answer");
            failures.forEach(error::addSuppressed);
            throw error;
        }
        return new ArrayList<>(statuses);
    }

    @Override
    public void close() {
        running.set(false);
        threads.shutdownNow();
    }
}
