package dev.hitcounter.pages;

import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Lets the scripts of the origins in {@code CORS_ORIGINS} call the page API from a browser, and no others. */
public final class Cors {

    private final List<String> origins;

    public Cors(List<String> origins) {
        this.origins = List.copyOf(origins);
    }

    /** Adds the headers that let the request's origin read the answer, if it is allowed. */
    public void allow(HttpServletRequest request, HttpServletResponse response) {
        // The answer differs by Origin whenever an allow-list is set: a shared cache must keep them apart.
        if (!origins.isEmpty() && !origins.contains("*")) {
            response.addHeader("Vary", "Origin");
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return;
        }
        if (origins.contains("*")) {
            response.setHeader("Access-Control-Allow-Origin", "*");
        } else if (origins.contains(origin.toLowerCase(Locale.ROOT))) {
            response.setHeader("Access-Control-Allow-Origin", origin);
        }
    }

    /** Answers a preflight {@code OPTIONS} after {@link #allow}: 204, with permission only for an allowed origin. */
    void preflight(HttpServletResponse response) {
        if (response.containsHeader("Access-Control-Allow-Origin")) {
            response.setHeader("Access-Control-Allow-Methods", "GET, POST");
            response.setHeader("Access-Control-Allow-Headers", "Content-Type");
            response.setHeader("Access-Control-Max-Age", "600");
        }
        response.setHeader("Allow", "GET, POST, OPTIONS");
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }
}
