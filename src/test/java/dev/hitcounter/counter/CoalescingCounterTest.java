package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class CoalescingCounterTest {

    /** A store that counts its round trips and can be held in the middle of one. */
    private static final class SlowStore implements Counter {
        final AtomicLong total = new AtomicLong();
        final AtomicInteger roundTrips = new AtomicInteger();
        final List<Integer> batchSizes = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile boolean failing;

        @Override
        public long add(int views) throws CounterUnavailableException {
            roundTrips.incrementAndGet();
            batchSizes.add(views);
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failing) {
                throw new CounterUnavailableException(CounterUnavailableException.Kind.TIMEOUT, new IOException("slow"));
            }
            return total.addAndGet(views);
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aLoneCallerGoesStraightToTheStore() throws Exception {
        SlowStore store = new SlowStore();
        CoalescingCounter counter = new CoalescingCounter(store);
        assertEquals(1, counter.increment());
        assertEquals(2, counter.increment());
        assertEquals(List.of(1, 1), store.batchSizes);
    }

    @Test
    void concurrentCallersShareRoundTripsAndGetDistinctCounts() throws Exception {
        SlowStore store = new SlowStore();
        CoalescingCounter counter = new CoalescingCounter(store);
        int callers = 64;
        int each = 200;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                results.add(pool.submit(() -> {
                    List<Long> counts = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        counts.add(counter.increment());
                    }
                    return counts;
                }));
            }
            Set<Long> distinct = new HashSet<>();
            for (Future<List<Long>> result : results) {
                distinct.addAll(result.get());
            }
            assertEquals(callers * each, distinct.size(), "every caller got its own count");
            assertEquals(callers * each, store.total.get(), "the store counted each view once");
            assertEquals(1L, distinct.stream().mapToLong(Long::longValue).min().orElseThrow());
            assertEquals((long) callers * each, distinct.stream().mapToLong(Long::longValue).max().orElseThrow());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void callersWaitingBehindABatchGoTogetherInTheNext() throws Exception {
        SlowStore store = new SlowStore();
        store.gate = new CountDownLatch(1);
        CoalescingCounter counter = new CoalescingCounter(store);
        ExecutorService pool = Executors.newFixedThreadPool(11);
        try {
            Future<Long> first = pool.submit(counter::increment);
            while (store.roundTrips.get() == 0) {
                Thread.sleep(1);
            }
            List<Future<Long>> waiting = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                waiting.add(pool.submit(counter::increment));
            }
            Thread.sleep(100);
            store.gate.countDown();
            assertEquals(1, first.get());
            Set<Long> counts = new HashSet<>();
            for (Future<Long> future : waiting) {
                counts.add(future.get());
            }
            assertEquals(10, counts.size());
            assertEquals(List.of(1, 10), store.batchSizes, "ten waiting callers shared one round trip");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedBatchFailsEveryCallerInItAndTheNextBatchStillRuns() throws Exception {
        SlowStore store = new SlowStore();
        store.failing = true;
        CoalescingCounter counter = new CoalescingCounter(store);
        CounterUnavailableException e = assertThrows(CounterUnavailableException.class, counter::increment);
        assertTrue(e.mayHaveCounted());
        store.failing = false;
        assertEquals(1, counter.increment());
    }
}
