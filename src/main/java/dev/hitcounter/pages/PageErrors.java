package dev.hitcounter.pages;

import java.io.IOException;

import dev.hitcounter.system.HtmlPage;
import jakarta.servlet.http.HttpServletResponse;

/** The answers for a page that may not be created: {@code MAX_PAGES} pages exist already. */
final class PageErrors {

    static final String FULL = "this counter counts no new pages: it has as many as MAX_PAGES allows";

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
