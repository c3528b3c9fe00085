package dev.hitcounter.pages;

import java.io.IOException;

import dev.hitcounter.counter.PendingView;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The answers of a badge, all SVG: its count, or what kept it from showing one ({@code views | unavailable},
 * {@code views | not counted}, {@code badge | bad option}) with the status that says so, because an {@code <img>}
 * shows an image whatever the status, and any other body as a broken image (issue 21 item 13).
 */
final class BadgeAnswers {

    static final String UNAVAILABLE = "unavailable";
    static final String NOT_COUNTED = "not counted";
    static final String BAD_OPTION = "bad option";
    static final String BROKEN = "broken count";

    private static final BadgeColor GREY = new BadgeColor("#9f9f9f");
    private static final BadgeColor RED = new BadgeColor("#e05d44");

    private final BadgeLooks looks;
    private final BadgeLook notCounted;
    private final BadgeLook badOption;

    BadgeAnswers(BadgeLooks looks) {
        this.looks = looks;
        this.notCounted = looks.of(new BadgeText("views"), GREY, BadgeStyle.FLAT);
        this.badOption = looks.of(new BadgeText("badge"), RED, BadgeStyle.FLAT);
    }

    /**
     * The answers of a badge of this look: its count, or, labelled as it would be, {@code unavailable} (503 with
     * {@code Retry-After}) or {@code broken count} (500: the stored value is not a number, a person has to act).
     */
    PendingView.Answers of(BadgeLook look, BadgeText label) {
        return new PendingView.Answers() {
            @Override
            public void counted(HttpServletResponse response, long views) throws IOException {
                send(response, HttpServletResponse.SC_OK, look, BadgeText.grouped(views));
            }

            @Override
            public void rejected(HttpServletResponse response) throws IOException {
                send(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, looks.of(label, RED, BadgeStyle.FLAT),
                        BROKEN);
            }

            @Override
            public void unavailable(HttpServletResponse response) throws IOException {
                response.setHeader("Retry-After", "1");
                send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, looks.of(label, GREY, BadgeStyle.FLAT),
                        UNAVAILABLE);
            }
        };
    }

    /** A page this counter does not count: a bad name (400), not in {@code PAGES} or over {@code MAX_PAGES} (404). */
    void notCounted(HttpServletResponse response, int status) throws IOException {
        send(response, status, notCounted, NOT_COUNTED);
    }

    /** A query the badge cannot follow: 400. */
    void badOption(HttpServletResponse response) throws IOException {
        send(response, HttpServletResponse.SC_BAD_REQUEST, badOption, BAD_OPTION);
    }

    /** The badge of {@code look} showing {@code value}, never cached. */
    static void send(HttpServletResponse response, int status, BadgeLook look, String value) throws IOException {
        byte[] body = look.utf8(value);
        response.setStatus(status);
        response.setContentType("image/svg+xml; charset=UTF-8");
        // Browsers and image proxies (GitHub's camo) must ask again on every view, or the count would stand still.
        response.setHeader("Cache-Control", "no-cache, no-store, must-revalidate, max-age=0");
        response.setHeader("Pragma", "no-cache");
        response.setHeader("Expires", "Thu, 01 Jan 1970 00:00:00 GMT");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
