package dev.hitcounter.pages;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The page API's 404 answers, written as the error pages' sentences are (a capital, a full stop): a page that may not
 * be created, {@code MAX_PAGES} pages existing already (a badge's answer is in {@link BadgeAnswers}), and an unknown
 * endpoint.
 */
final class PageErrors {

    static final String FULL = "This counter counts no new pages: it has as many as MAX_PAGES allows.";

    static final String NO_ENDPOINT =
            "There is no such endpoint: use POST /api/pages/{page}/views, GET /api/pages/{page} or"
                    + " GET /api/pages/{page}/shields.json.";

    private PageErrors() {
    }

    /** For the JSON API. */
    static void full(HttpServletResponse response) throws IOException {
        PageJson.sendError(response, HttpServletResponse.SC_NOT_FOUND, FULL);
    }
}
