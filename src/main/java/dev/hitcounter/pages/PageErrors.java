package dev.hitcounter.pages;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

/**
 * The API's answer for a page that may not be created: {@code MAX_PAGES} pages exist already (a badge's is in
 * {@link BadgeAnswers}).
 */
final class PageErrors {

    static final String FULL = "this counter counts no new pages: it has as many as MAX_PAGES allows";

    private PageErrors() {
    }

    /** For the JSON API. */
    static void full(HttpServletResponse response) throws IOException {
        PageJson.sendError(response, HttpServletResponse.SC_NOT_FOUND, FULL);
    }
}
