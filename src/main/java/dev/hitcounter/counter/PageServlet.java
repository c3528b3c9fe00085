package dev.hitcounter.counter;

import java.io.IOException;

import dev.hitcounter.system.ErrorPages;
import dev.hitcounter.system.GetOnlyServlet;
import dev.hitcounter.system.HtmlPage;
import dev.hitcounter.system.Metrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /}: counts the view and shows the count; {@code HEAD /} answers without counting. */
public final class PageServlet extends GetOnlyServlet {

    static final String TITLE = "Hit counter";

    private final transient Counter counter;
    private final transient Metrics metrics;

    public PageServlet(Counter counter, Metrics metrics) {
        this.counter = counter;
        this.metrics = metrics;
    }

    @Override
    protected void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!isExactlyRoot(request)) {
            ErrorPages.send(response, HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        long views;
        try {
            views = counter.increment();
        } catch (CounterUnavailableException e) {
            if (e.mayHaveCounted()) {
                metrics.viewUncertain();
            }
            response.setHeader("Retry-After", "1");
            ErrorPages.send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            return;
        }
        HtmlPage.send(response, HttpServletResponse.SC_OK, TITLE, "Hello! This page has been seen " + views + " times.");
        metrics.viewServed();
    }

    /** Tomcat maps "//" and "/;param" to "/" too; only the path "/" itself counts. */
    private static boolean isExactlyRoot(HttpServletRequest request) {
        return "/".equals(request.getRequestURI());
    }

    @Override
    protected void head(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!isExactlyRoot(request)) {
            ErrorPages.send(response, HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/html; charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
    }
}
