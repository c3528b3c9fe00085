package dev.hitcounter.counter;

import java.io.IOException;

import dev.hitcounter.system.ErrorPages;
import dev.hitcounter.system.GetOnlyServlet;
import dev.hitcounter.system.HtmlPage;
import dev.hitcounter.system.Metrics;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The home page, {@code GET /}: counts the view under {@code COUNTER_KEY} and shows the count; {@code HEAD /} answers
 * without counting. Any other page's count is in {@code pages/}.
 */
public final class HomePageServlet extends GetOnlyServlet {

    static final String TITLE = "Hit counter";

    private final transient Views views;

    /** Counts on the request thread, one increment per view; the thread waits for the store. */
    public HomePageServlet(Counter counter, Metrics metrics) {
        this(new BlockingViews(counter, metrics));
    }

    /** Hands each view to the coalescer, which answers it later; the request thread returns at once. */
    public HomePageServlet(AsyncCoalescer coalescer) {
        this((Views) coalescer);
    }

    private HomePageServlet(Views views) {
        this.views = views;
    }

    @Override
    protected void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!isExactlyRoot(request)) {
            ErrorPages.send(response, HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        views.serve(request, response);
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

    /** The page with its count. */
    static void sendCount(HttpServletResponse response, long views) throws IOException {
        HtmlPage.send(response, HttpServletResponse.SC_OK, TITLE, "Hello! This page has been seen " + views + " times.");
    }

    /** The 503 page for a view that could not be counted; the client may try again in a second. */
    public static void sendUnavailable(HttpServletResponse response) throws IOException {
        response.setHeader("Retry-After", "1");
        ErrorPages.send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    }

    /** The 500 page, without {@code Retry-After}, for a view refused because of the value under the key. */
    static void sendRejected(HttpServletResponse response) throws IOException {
        HtmlPage.send(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Not counted",
                "This view was not counted: the stored count is not a number the counter can add to. "
                        + "The site's operator has to fix it; trying again will not help until then.");
    }
}
