package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.hitcounter.system.Metrics;
import dev.hitcounter.testing.FakeAsync;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AsyncCoalescerTest {

    private static final Pattern COUNT = Pattern.compile("seen (\\d+) times");

    /** A store whose round trips a test can hold, fail, and watch start. */
    private static final class GatedStore implements Counter {
        final AtomicLong total = new AtomicLong();
        final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        final Semaphore started = new Semaphore(0);
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile Throwable failure;
        /** Thrown by the next call only, as {@link #failure} is by every call. */
        final AtomicReference<CounterUnavailableException> failOnce = new AtomicReference<>();

        @Override
        public long add(int views) throws CounterUnavailableException {
            batchSizes.add(views);
            CounterUnavailableException once = failOnce.getAndSet(null);
            started.release();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (once != null) {
                throw once;
            }
            if (failure instanceof CounterUnavailableException unavailable) {
                throw unavailable;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            return total.addAndGet(views);
        }

        void hold() {
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        void awaitStart() throws InterruptedException {
            assertTrue(started.tryAcquire(1, TimeUnit.SECONDS), "the store was called");
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /**
     * A queue that, on the coalescer's thread, gives the processor away inside each call: any window
     * between the coalescer's look at the queue and a request thread's change to it is wide open.
     */
    private static final class YieldingQueue extends ArrayList<PendingView> {

        private static void pause() {
            if (Thread.currentThread().getName().equals("view-coalescer")) {
                LockSupport.parkNanos(100_000);
            }
        }

        @Override
        public boolean isEmpty() {
            pause();
            return super.isEmpty();
        }

        @Override
        public boolean add(PendingView view) {
            pause();
            return super.add(view);
        }

        @Override
        public Iterator<PendingView> iterator() {
            Iterator<PendingView> iterator = super.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return iterator.hasNext();
                }

                @Override
                public PendingView next() {
                    pause();
                    return iterator.next();
                }
            };
        }
    }

    private final GatedStore store = new GatedStore();
    private final Metrics metrics = new Metrics();
    private final AsyncCoalescer coalescer = AsyncCoalescer.start(store, metrics, 1_234);

    @AfterEach
    void close() {
        store.release();
        coalescer.close();
    }

    private FakeAsync view() {
        FakeAsync async = new FakeAsync("GET", "/");
        coalescer.serve(async.request, async.response.mock);
        return async;
    }

    @Test
    void viewsQueuedDuringARoundTripShareTheNextOneAndGetDistinctCounts() throws Exception {
        store.hold();
        FakeAsync first = view();
        store.awaitStart();
        List<FakeAsync> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            queued.add(view());
        }
        store.release();

        Set<Long> counts = new HashSet<>();
        assertTrue(first.awaitCompletion());
        counts.add(countIn(first));
        for (FakeAsync async : queued) {
            assertTrue(async.awaitCompletion());
            verify(async.response.mock).setStatus(200);
            counts.add(countIn(async));
            assertEquals(1, async.completions());
            assertEquals(1_234, async.timeout());
        }
        assertEquals(List.of(1, 10), store.batchSizes);
        // The batch of 10 is completed by one task on a request thread, not handed to them one by one (issue 28).
        assertEquals(1, queued.stream().mapToInt(FakeAsync::starts).sum());
        assertEquals(0, first.starts());
        assertEquals(Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), counts);
        assertEquals(11, value("hitcounter_views"));
        assertEquals(0, value("hitcounter_views_uncertain"));
    }

    @Test
    void viewsQueuedWhileTheThreadLooksForWorkAreAllAnsweredAndTheThreadCarriesOn() throws Exception {
        int senders = 4;
        int viewsEach = 150;
        AsyncCoalescer racy = AsyncCoalescer.start(store, metrics, 1_234, YieldingQueue::new);
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            List<FakeAsync> views = Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> sending = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                List<FakeAsync> mine = new ArrayList<>();
                for (int i = 0; i < viewsEach; i++) {
                    mine.add(new FakeAsync("GET", "/"));
                }
                views.addAll(mine);
                sending.add(pool.submit(() -> {
                    for (int i = 0; i < viewsEach; i++) {
                        racy.serve(mine.get(i).request, mine.get(i).response.mock);
                        // The queue runs dry now and then, and the thread looks for work again.
                        LockSupport.parkNanos(500_000 + i % 7 * 100_000);
                    }
                    return null;
                }));
            }
            for (Future<?> sender : sending) {
                sender.get(30, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (views.stream().anyMatch(async -> async.completions() == 0) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long unanswered = views.stream().filter(async -> async.completions() == 0).count();
            assertEquals(0, unanswered, "views never answered, of " + views.size());
            Set<Long> counts = new HashSet<>();
            for (FakeAsync async : views) {
                counts.add(countIn(async));
            }
            assertEquals(senders * viewsEach, counts.size(), "each view has its own count");

            FakeAsync later = new FakeAsync("GET", "/");
            racy.serve(later.request, later.response.mock);
            assertTrue(later.awaitCompletion(), "the coalescer still serves");
            assertEquals(senders * viewsEach + 1, countIn(later));
            assertTrue(racy.isRunning());
        } finally {
            pool.shutdownNow();
            racy.close();
        }
    }

    @Test
    void aFailedRoundTripAnswersTheWholeBatch503AndCountsItUncertainIfItMayHaveCounted() throws Exception {
        store.failure = new CounterUnavailableException(CounterUnavailableException.Kind.TIMEOUT, new IOException("slow"));
        List<FakeAsync> views = List.of(view(), view(), view());
        for (FakeAsync async : views) {
            assertTrue(async.awaitCompletion());
            verify(async.response.mock).setStatus(503);
            verify(async.response.mock).setHeader("Retry-After", "1");
            assertTrue(async.response.body().contains("unavailable"), async.response.body());
        }
        assertEquals(3, value("hitcounter_views_uncertain"));

        store.failure = new CounterUnavailableException(CounterUnavailableException.Kind.CONNECT, new IOException("refused"));
        FakeAsync refused = view();
        assertTrue(refused.awaitCompletion());
        verify(refused.response.mock).setStatus(503);
        assertEquals(3, value("hitcounter_views_uncertain"), "nothing was sent: not uncertain");
        assertEquals(0, value("hitcounter_views"));
    }

    @Test
    void aBatchThatTimedOutIsNeverSentAgainEvenWhenTheStoreWouldNowAnswer() throws Exception {
        store.hold();
        FakeAsync first = view();
        store.awaitStart();
        store.failOnce.set(new CounterUnavailableException(CounterUnavailableException.Kind.TIMEOUT,
                new IOException("Read timed out")));
        List<FakeAsync> batch = List.of(view(), view(), view());
        store.release();

        assertTrue(first.awaitCompletion());
        for (FakeAsync async : batch) {
            assertTrue(async.awaitCompletion());
            verify(async.response.mock, times(1)).setStatus(503);
            verify(async.response.mock).setHeader("Retry-After", "1");
            assertTrue(async.response.body().contains("unavailable"), async.response.body());
            assertEquals(1, async.completions());
        }
        // A retry would count the batch a second time wherever the first INCR reached Redis after all.
        assertEquals(List.of(1, 3), store.batchSizes, "the timed-out batch was sent once");
        assertEquals(3, value("hitcounter_views_uncertain"), "each view of the batch may have counted");
        assertEquals(1, value("hitcounter_views"));

        FakeAsync next = view();
        assertTrue(next.awaitCompletion());
        verify(next.response.mock).setStatus(200);
        assertEquals(List.of(1, 3, 1), store.batchSizes, "the next view is a batch of its own");
    }

    @Test
    void aClientThatWentAwayAffectsNeitherTheOthersNorTheThread() throws Exception {
        store.hold();
        FakeAsync first = view();
        store.awaitStart();
        FakeAsync gone = view();
        FakeAsync other = view();
        gone.clientGoes();
        FakeAsync writeFails = view();
        doThrow(new IOException("Broken pipe")).when(writeFails.response.mock).getOutputStream();
        store.release();

        assertTrue(first.awaitCompletion());
        assertTrue(other.awaitCompletion());
        verify(other.response.mock).setStatus(200);
        assertTrue(writeFails.awaitCompletion());
        assertEquals(0, gone.completions());

        FakeAsync later = view();
        assertTrue(later.awaitCompletion(), "the coalescer still serves");
        assertEquals(5, countIn(later));
        assertEquals(3, value("hitcounter_views"));
        assertEquals(2, value("hitcounter_views_uncertain"), "counted in the store but never shown");
    }

    @Test
    void anUnexpectedFailureAnswers500AndTheThreadCarriesOn() throws Exception {
        store.failure = new IllegalStateException("bug");
        FakeAsync broken = view();
        assertTrue(broken.awaitCompletion());
        verify(broken.response.mock).setStatus(500);

        store.failure = null;
        FakeAsync next = view();
        assertTrue(next.awaitCompletion());
        verify(next.response.mock).setStatus(200);
    }

    @Test
    void anErrorAnswersTheBatch500AndTheThreadCarriesOn() throws Exception {
        // What a class missing after a redeploy throws: an Error, not an exception.
        store.failure = new NoClassDefFoundError("redis/clients/jedis/Protocol");
        FakeAsync broken = view();
        assertTrue(broken.awaitCompletion());
        verify(broken.response.mock).setStatus(500);
        assertEquals(1, value("hitcounter_views_uncertain"), "it was sent, so it may have counted");
        assertTrue(coalescer.isRunning());

        store.failure = null;
        FakeAsync next = view();
        assertTrue(next.awaitCompletion(), "the coalescer still serves");
        verify(next.response.mock).setStatus(200);
    }

    @Test
    void isRunningUntilClosed() {
        assertTrue(coalescer.isRunning());
        coalescer.close();
        assertFalse(coalescer.isRunning());
    }

    @Test
    void aTimeoutWhileQueuedAnswers503AndTheViewIsNeverSent() throws Exception {
        store.hold();
        FakeAsync first = view();
        store.awaitStart();
        FakeAsync late = view();
        late.fireTimeout();
        assertEquals(1, late.completions());
        verify(late.response.mock).setStatus(503);
        store.release();

        assertTrue(first.awaitCompletion());
        FakeAsync next = view();
        assertTrue(next.awaitCompletion());
        assertEquals(2, countIn(next), "the timed-out view took no count");
        assertEquals(List.of(1, 1), store.batchSizes);
        assertEquals(0, value("hitcounter_views_uncertain"));
        verify(late.response.mock, times(1)).setStatus(anyInt());
    }

    @Test
    void aTimeoutAfterTheViewWasSentAnswers503OnceAndTheLateCountIsUncertain() throws Exception {
        store.hold();
        FakeAsync view = view();
        store.awaitStart();
        view.fireTimeout();
        verify(view.response.mock).setStatus(503);
        store.release();

        FakeAsync next = view();
        assertTrue(next.awaitCompletion());
        assertEquals(2, countIn(next));
        verify(view.response.mock, times(1)).setStatus(anyInt());
        assertEquals(1, view.completions());
        assertEquals(1, value("hitcounter_views"));
        assertEquals(1, value("hitcounter_views_uncertain"), "counted in the store, shown a 503");
    }

    @Test
    void closeAnswersEveryWaitingView503AndLaterViewsAt503Once() throws Exception {
        store.hold();
        FakeAsync sent = view();
        store.awaitStart();
        FakeAsync queued = view();
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            store.release();
        });
        releaser.start();
        coalescer.close();
        releaser.join();

        for (FakeAsync async : List.of(sent, queued)) {
            assertEquals(1, async.completions());
            verify(async.response.mock, times(1)).setStatus(503);
        }
        assertEquals(List.of(1), store.batchSizes, "the queued view was never sent");
        assertEquals(1, value("hitcounter_views_uncertain"), "the view in flight counted after its 503");

        FakeAsync afterClose = view();
        assertEquals(1, afterClose.completions());
        verify(afterClose.response.mock).setStatus(503);
        assertFalse(store.batchSizes.size() > 1);
    }

    private static long countIn(FakeAsync async) {
        Matcher matcher = COUNT.matcher(async.response.body());
        assertTrue(matcher.find(), async.response.body());
        return Long.parseLong(matcher.group(1));
    }

    private long value(String name) {
        return (long) metrics.registry().scrape().stream()
                .filter(snapshot -> snapshot.getMetadata().getName().equals(name))
                .flatMap(snapshot -> snapshot.getDataPoints().stream())
                .mapToDouble(point -> ((CounterSnapshot.CounterDataPointSnapshot) point).getValue())
                .sum();
    }
}
