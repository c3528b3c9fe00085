package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.hitcounter.system.Metrics;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;

class DiscoveringCounterTest {

    private static final long RETRY_MILLIS = 500;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger built = new AtomicInteger();
    private final AtomicBoolean storeClosed = new AtomicBoolean();
    private final Counter store = new Counter() {
        private final InMemoryCounter views = new InMemoryCounter();

        @Override
        public long add(int added) {
            return views.add(added);
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void close() {
            storeClosed.set(true);
        }
    };
    private volatile boolean sentinelsAnswer;

    private DiscoveringCounter counter() {
        return new DiscoveringCounter(() -> {
            attempts.incrementAndGet();
            if (!sentinelsAnswer) {
                throw new JedisConnectionException("All sentinels down");
            }
            built.incrementAndGet();
            return store;
        }, "the primary 'mymaster' named by Sentinels s1:26379", RETRY_MILLIS, nanos::get, new Metrics());
    }

    @Test
    void startsWhileNoSentinelAnswersAndFailsViewsFastAsNothingSent() {
        DiscoveringCounter counter = counter();

        CounterUnavailableException failure = assertThrows(CounterUnavailableException.class, counter::increment);
        assertEquals(CounterUnavailableException.Kind.CONNECT, failure.kind());
        assertFalse(failure.mayHaveCounted());
        assertTrue(failure.retryMayHelp());
        assertFalse(counter.isReady());
    }

    @Test
    void asksTheSentinelsAgainAtMostOncePerInterval() {
        DiscoveringCounter counter = counter();
        assertEquals(1, attempts.get(), "asked once at start-up");

        for (int i = 0; i < 10; i++) {
            assertThrows(CounterUnavailableException.class, counter::increment);
            assertFalse(counter.isReady());
        }
        assertEquals(1, attempts.get(), "not asked again within the interval");

        nanos.addAndGet(RETRY_MILLIS * 1_000_000);
        assertFalse(counter.isReady());
        assertEquals(2, attempts.get());
    }

    @Test
    void countsOnceASentinelAnswersWithoutARestart() throws Exception {
        DiscoveringCounter counter = counter();
        assertThrows(CounterUnavailableException.class, counter::increment);

        sentinelsAnswer = true;
        nanos.addAndGet(RETRY_MILLIS * 1_000_000);

        assertTrue(counter.isReady());
        assertEquals(1, counter.increment());
        assertEquals(2, counter.increment());
        assertEquals(2, attempts.get(), "built once, then used");
    }

    @Test
    void buildsAtStartUpWhenASentinelAnswersThenAndClosesWhatItBuilt() throws Exception {
        sentinelsAnswer = true;
        DiscoveringCounter counter = counter();
        assertEquals(1, counter.increment());

        counter.close();

        assertTrue(storeClosed.get(), "the built counter was closed");
    }

    @Test
    void onceClosedItNeverAsksTheSentinelsAgainNorBuildsACounter() {
        DiscoveringCounter counter = counter();
        assertEquals(1, attempts.get(), "asked once at start-up, while no Sentinel answered");

        counter.close();
        sentinelsAnswer = true;
        nanos.addAndGet(RETRY_MILLIS * 1_000_000);

        // A client built now would never be closed: its pool and Sentinel listeners would outlive the app.
        CounterUnavailableException failure = assertThrows(CounterUnavailableException.class, counter::increment,
                "a closed counter counts nothing");
        assertEquals(CounterUnavailableException.Kind.CONNECT, failure.kind());
        assertFalse(failure.mayHaveCounted(), "nothing was sent");
        assertFalse(counter.isReady(), "a closed counter is not ready");
        nanos.addAndGet(RETRY_MILLIS * 1_000_000);
        assertThrows(CounterUnavailableException.class, () -> counter.add(3), "a closed counter counts nothing");
        assertFalse(counter.isReady(), "a closed counter is not ready");
        assertEquals(1, attempts.get(), "the Sentinels were not asked after close");
        assertEquals(0, built.get(), "no counter was built");
    }
}
