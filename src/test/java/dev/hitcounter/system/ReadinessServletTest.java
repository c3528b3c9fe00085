package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.hitcounter.testing.FakeAsync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How {@code /readyz} shares one check among the probes that arrive while it runs, and answers a check that throws. */
class ReadinessServletTest {

    private final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private ReadinessServlet servlet;

    @AfterEach
    void destroy() {
        release.countDown();
        if (servlet != null) {
            servlet.destroy();
        }
    }

    @Test
    void probesArrivingWhileACheckRunsShareItsOneCallAndItsAnswer() throws Exception {
        servlet = new ReadinessServlet(() -> {
            int call = calls.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of("the counter store does not answer (check " + call + ")");
        }, 5_000);
        int probes = 5;
        List<FakeAsync> requests = new ArrayList<>();
        for (int i = 0; i < probes; i++) {
            requests.add(new FakeAsync("GET", "/readyz"));
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(probes);
        try {
            List<Future<?>> served = new ArrayList<>();
            for (FakeAsync async : requests) {
                served.add(threads.submit(() -> {
                    go.await();
                    servlet.service(async.request, async.response.mock);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> request : served) {
                request.get(5, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        release.countDown();

        for (FakeAsync async : requests) {
            assertTrue(async.awaitCompletion());
            verify(async.response.mock).setStatus(503);
            assertEquals("not ready: the counter store does not answer (check 1)\n", async.response.body());
        }
        assertEquals(1, calls.get(), "one check for the probes that arrived while it ran");
    }

    @Test
    void aCheckThatThrowsAnswers503SayingTheCheckFailed() throws Exception {
        servlet = new ReadinessServlet(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("a bug in the check");
            }
            return Optional.empty();
        }, 5_000);

        FakeAsync failed = readyz();
        verify(failed.response.mock).setStatus(503);
        verify(failed.response.mock).setHeader("Retry-After", "1");
        assertEquals("not ready: the readiness check failed\n", failed.response.body());

        FakeAsync next = readyz();
        verify(next.response.mock).setStatus(200);
        assertEquals("ready\n", next.response.body(), "the next probe runs a check of its own");
        assertEquals(2, calls.get());
    }

    private FakeAsync readyz() throws Exception {
        FakeAsync async = new FakeAsync("GET", "/readyz");
        servlet.service(async.request, async.response.mock);
        assertTrue(async.awaitCompletion());
        return async;
    }
}
