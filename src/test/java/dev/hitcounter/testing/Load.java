package dev.hitcounter.testing;

import java.io.IOException;
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

/** Closed-loop load on {@code GET /} from a few threads, recording every answer until stopped. */
public final class Load implements AutoCloseable {

    /** One answer: when it came (ns since start), how long it took, its status, and its count if it was a 200. */
    public record Answer(long atNanos, long tookNanos, int status, long count) {
    }

    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService threads;
    private final long start = System.nanoTime();

    private Load(URI page, int concurrency) {
        threads = Executors.newFixedThreadPool(concurrency);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(page).timeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < concurrency; i++) {
            threads.submit(() -> {
                while (running.get()) {
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        long took = System.nanoTime() - sent;
                        long count = response.statusCode() == 200 ? RunningApp.countIn(response.body()) : -1;
                        answers.add(new Answer(sent - start, took, response.statusCode(), count));
                        if (response.statusCode() != 200) {
                            Thread.sleep(5);
                        }
                    } catch (IOException | RuntimeException | AssertionError e) {
                        failures.add(e);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
    }

    public static Load start(URI page, int concurrency) {
        return new Load(page, concurrency);
    }

    /** Nanoseconds since the load started, on the same clock as {@link Answer#atNanos()}. */
    public long now() {
        return System.nanoTime() - start;
    }

    /** The answers so far, while the load goes on. */
    public List<Answer> answersSoFar() {
        return new ArrayList<>(answers);
    }

    /** Stops sending, waits for the answers in flight, and returns every answer. */
    public List<Answer> stop() {
        running.set(false);
        threads.shutdown();
        try {
            if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new AssertionError("load threads did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " requests failed without an HTTP answer");
            failures.forEach(error::addSuppressed);
            throw error;
        }
        return new ArrayList<>(answers);
    }

    @Override
    public void close() {
        running.set(false);
        threads.shutdownNow();
    }
}
