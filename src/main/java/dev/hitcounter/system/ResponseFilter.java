package dev.hitcounter.system;

import java.io.IOException;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Runs around every request: sets the security headers on every response and counts responses by status.
 * An exception that escapes a servlet becomes a 500 page here, never a stack trace.
 *
 * <p>A request that went asynchronous is answered after this filter has returned, so its status is
 * counted when it completes rather than here.
 */
public final class ResponseFilter extends HttpFilter {

    private final transient Metrics metrics;

    public ResponseFilter(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        SecurityHeaders.apply(response::setHeader);
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            if (response.isCommitted()) {
                throw e;
            }
            response.resetBuffer();
            ErrorPages.send(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            request.getServletContext().log("Request failed: " + e);
        } finally {
            if (request.getDispatcherType() == DispatcherType.REQUEST) {
                if (request.isAsyncStarted()) {
                    request.getAsyncContext().addListener(new CountOnComplete(metrics, response));
                } else {
                    metrics.response(response.getStatus());
                }
            }
        }
    }

    /** Counts an asynchronous response by the status it was completed with. */
    private static final class CountOnComplete implements AsyncListener {

        private final Metrics metrics;
        private final HttpServletResponse response;

        CountOnComplete(Metrics metrics, HttpServletResponse response) {
            this.metrics = metrics;
            this.response = response;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            metrics.response(response.getStatus());
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }
}
