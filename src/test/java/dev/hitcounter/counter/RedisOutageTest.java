package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

class RedisOutageTest {

    @Test
    void closeWaitsForAPingInFlight() throws Exception {
        CountDownLatch pinging = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        RedisOutage outage = new RedisOutage("redis://test", () -> {
            pinging.countDown();
            // As a socket read does, the ping ignores the interrupt of the stop.
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < end) {
                LockSupport.parkNanos(end - System.nanoTime());
            }
            finished.set(true);
            return false;
        }, () -> { }, 1);
        outage.failed(new CounterUnavailableException(CounterUnavailableException.Kind.TIMEOUT, new IOException("slow")));
        assertTrue(pinging.await(1, TimeUnit.SECONDS), "the outage probe pings");
        outage.close();
        assertTrue(finished.get(), "close returned while the ping was still running");
    }
}
