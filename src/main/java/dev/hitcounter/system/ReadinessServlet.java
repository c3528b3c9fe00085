package dev.hitcounter.system;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.hitcounter.counter.Counter;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /readyz}: 200 when the counter store answers a ping within its timeout, else 503.
 * The request goes asynchronous while the {@link ReadinessProbe} pings, so a slow or hung Redis
 * holds none of Tomcat's few request threads.
 */
public final class ReadinessServlet extends GetOnlyServlet {

    private final transient ReadinessProbe probe;
    private final long timeoutMillis;

    /** @param timeoutMillis how long a probe waits for the ping before it answers 503 anyway */
    public ReadinessServlet(Counter counter, long timeoutMillis) {
        this.probe = new ReadinessProbe(counter);
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected void get(HttpServletRequest request, HttpServletResponse response) {
        AsyncContext async = request.startAsync();
        async.setTimeout(timeoutMillis);
        Answer answer = new Answer(async);
        async.addListener(answer);
        probe.check().whenComplete((ready, failure) -> answer.send(Boolean.TRUE.equals(ready)));
    }

    @Override
    public void destroy() {
        probe.close();
    }

    /** The one answer of a probe: from the ping, or 503 if the async timeout comes first. */
    private static final class Answer implements AsyncListener {

        private final AsyncContext async;
        private final AtomicBoolean sent = new AtomicBoolean();

        Answer(AsyncContext async) {
            this.async = async;
        }

        void send(boolean ready) {
            if (!sent.compareAndSet(false, true)) {
                return;
            }
            AsyncAnswer.write(async, response -> {
                if (ready) {
                    PlainText.send(response, HttpServletResponse.SC_OK, "ready");
                } else {
                    response.setHeader("Retry-After", "1");
                    PlainText.send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                            "not ready: the counter store does not answer");
                }
            });
            AsyncAnswer.complete(async);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            send(false);
        }

        @Override
        public void onError(AsyncEvent event) {
            send(false);
        }

        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
