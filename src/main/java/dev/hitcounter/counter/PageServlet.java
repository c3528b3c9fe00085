package dev.hitcounter.counter;

import java.io.IOException;

import dev.hitcounter.system.GetOnlyServlet;
import dev.hitcounter.system.HtmlPage;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /}: counts the view and shows the count; {@code HEAD /} answers without counting. */
public final class PageServlet extends GetOnlyServlet {

    static final String TITLE = "Hit counter";

    private final transient Counter counter;

    public PageServlet(Counter counter) {
        this.counter = counter;
    }

    @Override
    protected void get(HttpServletResponse response) throws IOException {
        long views;
        try {
            views = counter.increment();
        } catch (CounterUnavailableException e) {
            response.setHeader("Retry-After", "1");
            HtmlPage.send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Service unavailable",
                    "The view counter is unavailable right now. Please try again in a moment.");
            return;
        }
        HtmlPage.send(response, HttpServletResponse.SC_OK, TITLE, "Hello! This page has been seen " + views + " times.");
    }

    @Override
    protected void head(HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/html; charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
    }
}
