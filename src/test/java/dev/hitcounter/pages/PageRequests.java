package dev.hitcounter.pages;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.hitcounter.testing.RunningApp;

/** The requests of the page endpoints as a browser or a page's script sends them, and the counts in their answers. */
final class PageRequests {

    private static final Pattern JSON_VIEWS = Pattern.compile("\"views\":(\\d+)");
    private static final Pattern BADGE_VIEWS = Pattern.compile("aria-label=\"views: ([0-9,]+)\"");
    private static final Pattern UNIQUES = Pattern.compile(
            "\"uniqueVisitors\":\\{\"today\":(\\d+),\"last7Days\":(\\d+)}");

    private PageRequests() {
    }

    /** {@code POST /api/pages/{page}/views} with these headers (name, value, name, value…). */
    static HttpResponse<String> post(RunningApp app, String page, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.uri("/api/pages/" + page + "/views"))
                .POST(HttpRequest.BodyPublishers.noBody());
        return app.send(withHeaders(request, headers));
    }

    /** {@code GET /api/pages/{page}} with these headers. */
    static HttpResponse<String> read(RunningApp app, String page, String... headers) {
        return app.send(withHeaders(HttpRequest.newBuilder(app.uri("/api/pages/" + page)).GET(), headers));
    }

    /** {@code GET /badge/{page}.svg?query} (query may be empty) with these headers. */
    static HttpResponse<String> badge(RunningApp app, String page, String query, String... headers) {
        String path = "/badge/" + page + ".svg" + (query.isEmpty() ? "" : "?" + query);
        return app.send(withHeaders(HttpRequest.newBuilder(app.uri(path)).GET(), headers));
    }

    /** A request with any method and no body. */
    static HttpResponse<String> method(RunningApp app, String method, String path) {
        return app.send(HttpRequest.newBuilder(app.uri(path)).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    /** The {@code views} of a JSON answer; fails when it has none. */
    static long jsonViews(String body) {
        Matcher matcher = JSON_VIEWS.matcher(body);
        if (!matcher.find()) {
            throw new AssertionError("no views in " + body);
        }
        return Long.parseLong(matcher.group(1));
    }

    /** The count a views badge shows, {@code 1,234} read as 1234; fails when it shows none. */
    static long badgeViews(String svg) {
        Matcher matcher = BADGE_VIEWS.matcher(svg);
        if (!matcher.find()) {
            throw new AssertionError("no count in the badge " + svg);
        }
        return Long.parseLong(matcher.group(1).replace(",", ""));
    }

    /** The unique visitors today and over seven days of a JSON answer, or empty when it reports none. */
    static Map<String, Long> uniques(String body) {
        Matcher matcher = UNIQUES.matcher(body);
        return matcher.find()
                ? Map.of("today", Long.parseLong(matcher.group(1)), "last7Days", Long.parseLong(matcher.group(2)))
                : Map.of();
    }

    private static HttpRequest.Builder withHeaders(HttpRequest.Builder request, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }
}
