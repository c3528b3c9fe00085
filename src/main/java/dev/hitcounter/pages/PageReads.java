package dev.hitcounter.pages;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.PendingView;
import dev.hitcounter.system.AbandonedOnTimeout;
import dev.hitcounter.system.AsyncAnswer;
import dev.hitcounter.system.ErrorPages;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Reads the counts of pages without holding a request thread (issue 21 item 1): each read goes asynchronous and runs
 * on one of a few threads of its own (the owner's reads use it too, issue 24), reads of the same thing asked while one is in flight share its round trip, and
 * every request is answered within the answer timeout, with its answers' 503 after it.
 *
 * <p>Threading: {@link #serve} runs on request threads and only queues; the store and the answers run on the read
 * threads. A flood finds the queue full and is answered 503 at once, so the threads and the queue stay bounded.
 */
public final class PageReads implements AutoCloseable {

    /** One read of the store. */
    @FunctionalInterface
    public interface Read<T> {
        T from() throws CounterUnavailableException;
    }

    /** Writes what was read into a request's answer. */
    @FunctionalInterface
    public interface Shown<T> {
        void send(HttpServletResponse response, T value) throws IOException;
    }

    /** What is read, e.g. {@code views} or {@code uniques-today}, and of which page: reads with the same key share. */
    public record Key(String what, String page) {
    }

    private static final Logger LOG = Logger.getLogger(PageReads.class.getName());

    /** Threads that read at once: more would only wait for the pool's connections. */
    static final int THREADS = 4;
    /** Distinct reads that may wait for a thread; one more is answered 503 at once. */
    static final int QUEUE = 1024;

    private final long timeoutMillis;
    private final ThreadPoolExecutor threads;
    private final Map<Key, Shared<?>> inFlight = new ConcurrentHashMap<>();

    public PageReads(long timeoutMillis) {
        this(timeoutMillis, THREADS, QUEUE);
    }

    /** With {@code readThreads} threads and room for {@code waiting} reads queued for one: a test's seam. */
    PageReads(long timeoutMillis, int readThreads, int waiting) {
        this.timeoutMillis = timeoutMillis;
        AtomicInteger made = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(readThreads, readThreads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(waiting),
                runnable -> {
                    Thread thread = new Thread(runnable, "page-reads-" + made.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        // Idle threads end, so a quiet app holds none.
        threads.allowCoreThreadTimeOut(true);
    }

    /**
     * Reads {@code key} with {@code read}, or joins the same read in flight, and answers the request later with
     * {@code shown}, or with {@code answers}' failure pages (503 with {@code Retry-After} after the answer timeout);
     * the request thread returns at once.
     */
    public <T> void serve(HttpServletRequest request, Key key, Read<T> read, Shown<T> shown, PendingView.Answers answers) {
        AsyncContext async = request.startAsync();
        async.setTimeout(timeoutMillis);
        Waiting<T> waiting = new Waiting<>(async, shown, answers);
        async.addListener(waiting);
        Shared<T> started = null;
        while (true) {
            @SuppressWarnings("unchecked")
            Shared<T> shared = (Shared<T>) inFlight.get(key);
            if (shared != null && shared.join(waiting)) {
                break;
            }
            if (shared != null) {
                // Finished while this request looked: it removes itself, and the next try starts a new read.
                inFlight.remove(key, shared);
                continue;
            }
            Shared<T> fresh = new Shared<>(key, read, waiting);
            if (inFlight.putIfAbsent(key, fresh) == null) {
                started = fresh;
                break;
            }
        }
        if (started != null) {
            try {
                threads.execute(started);
            } catch (RejectedExecutionException e) {
                started.fail(Waiting::abandon);
            }
        }
    }

    /** One read in flight and the requests waiting for it. */
    private final class Shared<T> implements Runnable {

        private final Key key;
        private final Read<T> read;
        private final List<Waiting<T>> waiting = new ArrayList<>();
        private boolean done;

        Shared(Key key, Read<T> read, Waiting<T> first) {
            this.key = key;
            this.read = read;
            waiting.add(first);
        }

        synchronized boolean join(Waiting<T> request) {
            if (!done) {
                waiting.add(request);
            }
            return !done;
        }

        /** Takes the waiting requests, after which no other joins. */
        private List<Waiting<T>> finish() {
            inFlight.remove(key, this);
            synchronized (this) {
                done = true;
                return List.copyOf(waiting);
            }
        }

        void fail(Consumer<Waiting<T>> answer) {
            finish().forEach(answer);
        }

        @Override
        public void run() {
            T value;
            try {
                value = read.from();
            } catch (CounterUnavailableException e) {
                finish().forEach(request -> request.failed(e));
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Reading " + key + " failed", e);
                finish().forEach(Waiting::broken);
                return;
            }
            finish().forEach(request -> request.read(value));
        }
    }

    /** One request waiting for a read: answered exactly once, by the read, its timeout, a client error or close. */
    private static final class Waiting<T> implements AbandonedOnTimeout {

        private final AsyncContext async;
        private final Shown<T> shown;
        private final PendingView.Answers answers;
        private final AtomicBoolean answered = new AtomicBoolean();

        Waiting(AsyncContext async, Shown<T> shown, PendingView.Answers answers) {
            this.async = async;
            this.shown = shown;
            this.answers = answers;
        }

        void read(T value) {
            answer(response -> shown.send(response, value));
        }

        void failed(CounterUnavailableException failure) {
            answer(response -> answers.notCounted(response, failure));
        }

        void broken() {
            answer(response -> ErrorPages.send(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR));
        }

        @Override
        public void abandon() {
            answer(answers::unavailable);
        }

        private void answer(AsyncAnswer.Body body) {
            if (answered.compareAndSet(false, true)) {
                AsyncAnswer.write(async, body);
                AsyncAnswer.complete(async);
            }
        }
    }

    /**
     * Answers 503 to every read still waiting and stops the threads, giving a read in flight up to the timeout: a
     * thread left running after the app stops makes Tomcat warn that the app failed to stop it.
     */
    @Override
    public void close() {
        inFlight.values().forEach(shared -> shared.fail(Waiting::abandon));
        threads.shutdownNow();
        try {
            threads.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
