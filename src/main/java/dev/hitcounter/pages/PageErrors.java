package dev.hitcounter.pages;

import java.io.IOException;

import dev.hitcounter.system.HtmlPage;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The answers for a page that may not be created: {@code MAX_PAGES} pages exist already; and the page endpoints' other
 * 404 sentence, written as the error pages' and {@link Pages#NOT_LISTED} are (a capital, a full stop).
 */
final class PageErrors {

    static final String FULL = "This counter counts no new pages: it has as many as MAX_PAGES allows.";

    static final String NO_ENDPOINT =
            "There is no such endpoint: use POST /api/pages/{page}/views or GET /api/pages/{page}.";

    private PageErrors() {
    }

    /** For the JSON API. */
    static void full(HttpServletResponse response) throws IOException {
        PageJson.sendError(response, HttpServletResponse.SC_NOT_FOUND, FULL);
    }

    /** For a badge: a short HTML page. */
    static void fullPage(HttpServletResponse response) throws IOException {
        HtmlPage.send(response, HttpServletResponse.SC_NOT_FOUND, "Not counted", FULL);
    }
}
