package dev.hitcounter.system;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /readyz}: 200 when the app's {@link Readiness} finds nothing wrong, else 503 saying
 * what is. The request goes asynchronous while the {@link ReadinessProbe} checks, so a slow or hung
 * Redis holds none of Tomcat's few request threads.
 */
public final class ReadinessServlet extends GetOnlyServlet {

    private final transient ReadinessProbe probe;
    private final long timeoutMillis;

    /**
     * @param timeoutMillis how long a request waits for the check before it answers 503 anyway, and
     *                      how long a stop waits for a check in flight: longer than a ping takes
     */
    public ReadinessServlet(Readiness readiness, long timeoutMillis) {
        this.probe = new ReadinessProbe(readiness, timeoutMillis);
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected void get(HttpServletRequest request, HttpServletResponse response) {
        AsyncContext async = request.startAsync();
        async.setTimeout(timeoutMillis);
        Answer answer = new Answer(async);
        async.addListener(answer);
        probe.check().whenComplete((problem, failure) -> answer.send(failure == null ? problem
                : Optional.of("the readiness check failed")));
    }

    @Override
    public void destroy() {
        probe.close();
    }

    /** The one answer of a probe: from the check, or 503 if the async timeout comes first. */
    private static final class Answer implements AsyncListener {

        private final AsyncContext async;
        private final AtomicBoolean sent = new AtomicBoolean();

        Answer(AsyncContext async) {
            this.async = async;
        }

        void send(Optional<String> problem) {
            if (!sent.compareAndSet(false, true)) {
                return;
            }
            AsyncAnswer.write(async, response -> {
                if (problem.isEmpty()) {
                    PlainText.send(response, HttpServletResponse.SC_OK, "ready");
                } else {
                    response.setHeader("Retry-After", "1");
                    PlainText.send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "not ready: " + problem.get());
                }
            });
            AsyncAnswer.complete(async);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            send(Optional.of("the check did not finish in time"));
        }

        @Override
        public void onError(AsyncEvent event) {
            send(Optional.of("the request failed"));
        }

        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
