package dev.hitcounter.pages;

import java.io.IOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The page API: {@code POST /api/pages/{page}/views} counts one view of the page and answers its new count (for a
 * page's own script, e.g. {@code navigator.sendBeacon}); {@code GET /api/pages/{page}} answers its counts without
 * counting, read without holding the request thread ({@link PageReads}), and {@code GET /api/pages/{page}/shields.json}
 * its count for shields.io ({@link ShieldsEndpoint}). JSON, with CORS for the origins in {@code CORS_ORIGINS}.
 */
final class PageApiServlet extends HttpServlet {

    static final String PATH = "/api/pages/";

    /** The raw path after {@link #PATH}: a page name, then {@code /views} (counting) or {@code /shields.json}. */
    private static final Pattern ROUTE = Pattern.compile("([^/]*)(/views|/shields\\.json)?");

    private static final String COUNTING = "/views";

    /** What {@code GET /api/pages/{page}} answers: both are read on a read thread. */
    private record Read(long views, Optional<UniqueVisits.Counts> uniques) {
    }

    private final transient Pages pages;
    private final transient PageCoalescer coalescer;
    private final transient PageReads reads;
    private final transient PageCounter store;
    private final transient UniqueVisits uniques;
    private final transient Cors cors;
    private final transient ShieldsEndpoint shields;

    PageApiServlet(Pages pages, PageCoalescer coalescer, PageReads reads, PageCounter store, UniqueVisits uniques,
            Cors cors) {
        this.pages = pages;
        this.coalescer = coalescer;
        this.reads = reads;
        this.store = store;
        this.uniques = uniques;
        this.cors = cors;
        this.shields = new ShieldsEndpoint(reads, store);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // On every answer, errors too: an allowed origin's script can read why, and a cache keeps origins apart.
        cors.allow(request, response);
        // The raw URI, not the decoded path: an encoded '/' or '..' must not turn into another page's name.
        // Tomcat maps "/api/pages" itself and paths it normalises ("/api/./pages/views") here too: no page there.
        String uri = request.getRequestURI();
        String prefix = request.getContextPath() + PATH;
        Matcher route = ROUTE.matcher(uri.startsWith(prefix) ? uri.substring(prefix.length()) : "/");
        if (!route.matches()) {
            PageJson.sendError(response, HttpServletResponse.SC_NOT_FOUND, PageErrors.NO_ENDPOINT);
            return;
        }
        boolean counting = COUNTING.equals(route.group(2));
        String allowed = counting ? "POST, OPTIONS" : "GET, HEAD, OPTIONS";
        String method = request.getMethod();
        if (method.equals("OPTIONS")) {
            cors.preflight(response);
            return;
        }
        if (!(counting ? method.equals("POST") : method.equals("GET") || method.equals("HEAD"))) {
            response.setHeader("Allow", allowed);
            PageJson.sendError(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                    method + " is not allowed here: " + allowed);
            return;
        }
        String page = route.group(1);
        Optional<Pages.Refusal> refusal = pages.refusal(page);
        if (refusal.isPresent()) {
            PageJson.sendError(response, refusal.get().status(), refusal.get().sentence());
            return;
        }
        if (counting) {
            coalescer.serve(request, page, PageJson.answers(page), PageErrors::full);
        } else if (ShieldsEndpoint.SUFFIX.equals(route.group(2))) {
            shields.serve(request, page);
        } else {
            reads.serve(request, new PageReads.Key("api", page),
                    () -> new Read(store.views(page), uniques.counts(page)),
                    (answer, read) -> PageJson.send(answer, HttpServletResponse.SC_OK,
                            PageJson.counts(page, read.views(), read.uniques())),
                    PageJson.answers(page));
        }
    }
}
