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
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
        volatile Exception failure;

        @Override
        public long add(int views) throws CounterUnavailableException {
            batchSizes.add(views);
            started.release();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof CounterUnavailableException unavailable) {
                throw unavailable;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
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
        assertEquals(Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L), counts);
        assertEquals(11, value("hitcounter_views"));
        assertEquals(0, value("hitcounter_views_uncertain"));
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
