package dev.hitcounter.system;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Runs around every request: sets the security headers on every response and counts responses by status.
 * An exception that escapes a servlet becomes a 500 page here, never a stack trace.
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
            if (request.getDispatcherType() == jakarta.servlet.DispatcherType.REQUEST) {
                metrics.response(response.getStatus());
            }
        }
    }
}
