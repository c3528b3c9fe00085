package dev.hitcounter.counter;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** How {@code GET /} takes its count and answers: the page with the new count, or the 503 page. */
interface Views {

    /** Counts one view of {@code GET /} and answers {@code response}, now or later. */
    void serve(HttpServletRequest request, HttpServletResponse response) throws IOException;
}
