package dev.hitcounter.testing;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;

/**
 * A request that can go asynchronous, for servlet unit tests: it records the listeners, the {@code complete()} calls
 * and the {@code start(Runnable)} tasks (run on a thread of their own), lets a test fire the timeout, and can play a
 * client that went away.
 */
public final class FakeAsync implements AsyncContext {

    public final HttpServletRequest request = mock(HttpServletRequest.class);
    public final RecordingResponse response = new RecordingResponse();
    private final List<AsyncListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger completions = new AtomicInteger();
    private final AtomicInteger starts = new AtomicInteger();
    private final CountDownLatch completed = new CountDownLatch(1);
    private volatile boolean clientGone;
    private volatile long timeout;

    public FakeAsync(String method, String uri) {
        when(request.getMethod()).thenReturn(method);
        when(request.getRequestURI()).thenReturn(uri);
        when(request.startAsync()).thenReturn(this);
    }

    /** From now on, the request behaves as Tomcat's does once it has been recycled after a client error. */
    public void clientGoes() {
        clientGone = true;
    }

    /** Fires the async timeout as Tomcat does, on the calling thread. */
    public void fireTimeout() throws IOException {
        for (AsyncListener listener : listeners) {
            listener.onTimeout(new AsyncEvent(this));
        }
    }

    /** Waits for {@code complete()}; false if it was not called within five seconds. */
    public boolean awaitCompletion() throws InterruptedException {
        // Generous: on a loaded CI machine the first answer, with class loading and a logged stack trace, took over 1 s.
        return completed.await(5, TimeUnit.SECONDS);
    }

    public int completions() {
        return completions.get();
    }

    /** How many tasks were handed to {@code start(Runnable)}. */
    public int starts() {
        return starts.get();
    }

    public long timeout() {
        return timeout;
    }

    @Override
    public ServletRequest getRequest() {
        check();
        return request;
    }

    @Override
    public ServletResponse getResponse() {
        check();
        return response.mock;
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return true;
    }

    @Override
    public void dispatch() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void dispatch(String path) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void complete() {
        check();
        completions.incrementAndGet();
        completed.countDown();
    }

    @Override
    public void start(Runnable run) {
        // As Tomcat's: refused once the request is gone, else run on another thread (a request thread of the connector).
        check();
        starts.incrementAndGet();
        Thread thread = new Thread(run, "fake-request-thread");
        thread.start();
    }

    @Override
    public void addListener(AsyncListener listener) {
        listeners.add(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
        listeners.add(listener);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void setTimeout(long timeout) {
        this.timeout = timeout;
    }

    @Override
    public long getTimeout() {
        return timeout;
    }

    private void check() {
        if (clientGone) {
            throw new IllegalStateException("The request associated with the AsyncContext has already completed processing.");
        }
    }
}
