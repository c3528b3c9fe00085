package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import dev.hitcounter.testing.FakeAsync;
import dev.hitcounter.testing.RecordingResponse;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

class EndpointServletsTest {

    private final RecordingResponse response = new RecordingResponse();

    @Test
    void healthzAnswersOk() throws Exception {
        new HealthServlet().service(request("GET"), response.mock);
        verify(response.mock).setStatus(200);
        assertEquals("ok\n", response.body());
    }

    @Test
    void readyzAnswers503SayingWhatIsWrong() throws Exception {
        FakeAsync async = readyz(() -> Optional.of("the counter store does not answer"), 1_000);
        verify(async.response.mock).setStatus(503);
        verify(async.response.mock).setHeader("Retry-After", "1");
        assertEquals("not ready: the counter store does not answer\n", async.response.body());
    }

    @Test
    void readyzIsReadyWhenNothingIsWrong() throws Exception {
        FakeAsync async = readyz(Optional::empty, 1_000);
        verify(async.response.mock).setStatus(200);
        assertEquals("ready\n", async.response.body());
        assertEquals(1_000, async.timeout());
    }

    @Test
    void readyzPingsOffTheRequestThreadAndAnswers503OnceIfItsTimeoutComesFirst() throws Exception {
        CountDownLatch pinging = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Readiness readiness = () -> {
            pinging.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty();
        };
        ReadinessServlet servlet = new ReadinessServlet(readiness, 1_000);
        try {
            FakeAsync async = new FakeAsync("GET", "/readyz");
            servlet.service(async.request, async.response.mock);
            assertTrue(pinging.await(1, TimeUnit.SECONDS), "the ping runs while the request thread is free");
            async.fireTimeout();
            verify(async.response.mock).setStatus(503);
            release.countDown();
            FakeAsync next = new FakeAsync("GET", "/readyz");
            servlet.service(next.request, next.response.mock);
            assertTrue(next.awaitCompletion());
            verify(async.response.mock, times(1)).setStatus(anyInt());
            assertEquals(1, async.completions());
        } finally {
            release.countDown();
            servlet.destroy();
        }
    }

    @Test
    void destroyWaitsForACheckInFlight() throws Exception {
        CountDownLatch checking = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        ReadinessServlet servlet = new ReadinessServlet(() -> {
            checking.countDown();
            // As a socket read does, the check ignores the interrupt of the stop.
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < end) {
                LockSupport.parkNanos(end - System.nanoTime());
            }
            finished.set(true);
            return Optional.empty();
        }, 2_000);
        FakeAsync async = new FakeAsync("GET", "/readyz");
        servlet.service(async.request, async.response.mock);
        assertTrue(checking.await(1, TimeUnit.SECONDS));
        servlet.destroy();
        assertTrue(finished.get(), "destroy returned while the check was still running");
    }

    private static FakeAsync readyz(Readiness readiness, long timeoutMillis) throws Exception {
        ReadinessServlet servlet = new ReadinessServlet(readiness, timeoutMillis);
        try {
            FakeAsync async = new FakeAsync("GET", "/readyz");
            servlet.service(async.request, async.response.mock);
            assertTrue(async.awaitCompletion());
            return async;
        } finally {
            servlet.destroy();
        }
    }

    @Test
    void healthEndpointsRefuseWrites() throws Exception {
        new HealthServlet().service(request("DELETE"), response.mock);
        verify(response.mock).setStatus(405);
        verify(response.mock).setHeader("Allow", "GET, HEAD");
    }

    @Test
    void notFoundForAnyMethod() throws Exception {
        new ErrorPages().service(request("PUT"), response.mock);
        verify(response.mock).setStatus(404);
        assertTrue(response.body().contains("There is no page here."));
    }

    @Test
    void errorDispatchRendersTheReportedStatus() throws Exception {
        HttpServletRequest request = request("GET");
        when(request.getAttribute(jakarta.servlet.RequestDispatcher.ERROR_STATUS_CODE)).thenReturn(500);
        new ErrorPages().service(request, response.mock);
        verify(response.mock).setStatus(500);
        assertTrue(response.body().contains("Something went wrong on our side."));
    }

    private static HttpServletRequest request(String method) {
        HttpServletRequest request = mock(HttpServletRequest.class);
        when(request.getMethod()).thenReturn(method);
        return request;
    }
}
