package dev.hitcounter.pages;

import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.PageServlet;
import dev.hitcounter.counter.PendingView;
import dev.hitcounter.system.ErrorPages;
import dev.hitcounter.system.GetOnlyServlet;
import dev.hitcounter.system.HtmlPage;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /badge/{page}.svg}: counts one view of the page and answers an SVG badge with its count, e.g.
 * {@code views | 1,234}. The query sets {@code label}, {@code color} and {@code style}; {@code count=false} shows
 * without counting; {@code value=uniques-today} or {@code uniques-7d} shows the page's unique visitors (and never
 * counts: put it beside a badge that does). {@code HEAD} counts nothing.
 */
final class BadgeServlet extends GetOnlyServlet {

    static final String PATH = "/badge/";
    private static final String SUFFIX = ".svg";

    /** What a badge shows for unique visitors that are not counted here. */
    private static final String NOT_COUNTED = "n/a";

    private final transient Pages pages;
    private final transient PageCoalescer coalescer;
    private final transient PageCounter store;
    private final transient UniqueVisits uniques;
    private final transient BadgeLooks looks;
    /** The look of a badge whose query sets no label, colour or style: most of them. */
    private final transient Map<Shown, BadgeLook> plainLooks = new EnumMap<>(Shown.class);

    BadgeServlet(Pages pages, PageCoalescer coalescer, PageCounter store, UniqueVisits uniques, BadgeLooks looks) {
        this.pages = pages;
        this.coalescer = coalescer;
        this.store = store;
        this.uniques = uniques;
        this.looks = looks;
        for (Shown shown : Shown.values()) {
            plainLooks.put(shown, looks.of(new BadgeText(shown.label), BadgeColor.DEFAULT, BadgeStyle.FLAT));
        }
    }

    /** What the badge shows, from the {@code value} query parameter. */
    private enum Shown {
        VIEWS("views"), UNIQUES_TODAY("visitors today"), UNIQUES_7D("visitors this week");

        final String label;

        Shown(String label) {
            this.label = label;
        }

        static Shown fromQuery(String parameter) {
            return switch (parameter == null ? "views" : parameter) {
                case "views" -> VIEWS;
                case "uniques-today" -> UNIQUES_TODAY;
                case "uniques-7d" -> UNIQUES_7D;
                default -> throw new BadRequestException("A badge's value is views, uniques-today or uniques-7d.");
            };
        }
    }

    @Override
    protected void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answer(request, response, true);
    }

    /** Answers as {@code count=false} would: HEAD is safe and counts nothing, as {@code HEAD /} does. */
    @Override
    protected void head(HttpServletRequest request, HttpServletResponse response) throws IOException {
        answer(request, response, false);
    }

    private void answer(HttpServletRequest request, HttpServletResponse response, boolean mayCount)
            throws IOException {
        // The raw URI, not the decoded path: an encoded '/' or '..' must not turn into another page's name.
        // Tomcat maps "/badge" itself and paths it normalises ("/./badge/x.svg") here too: those name no page.
        String uri = request.getRequestURI();
        String prefix = request.getContextPath() + PATH;
        if (!uri.startsWith(prefix)) {
            ErrorPages.send(response, HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        String path = uri.substring(prefix.length());
        if (!path.endsWith(SUFFIX)) {
            ErrorPages.send(response, HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        String page = path.substring(0, path.length() - SUFFIX.length());
        Shown shown;
        BadgeLook look;
        boolean counting;
        try {
            Optional<Pages.Refusal> refusal = pages.refusal(page);
            if (refusal.isPresent()) {
                HtmlPage.send(response, refusal.get().status(), "Not counted", refusal.get().sentence());
                return;
            }
            shown = Shown.fromQuery(request.getParameter("value"));
            look = look(request, shown);
            counting = counting(request.getParameter("count")) && shown == Shown.VIEWS && mayCount;
        } catch (BadRequestException e) {
            HtmlPage.send(response, HttpServletResponse.SC_BAD_REQUEST, "Bad badge", e.getMessage());
            return;
        }
        if (counting) {
            coalescer.serve(request, page, answers(look), PageErrors::fullPage);
            return;
        }
        try {
            long value = switch (shown) {
                case VIEWS -> store.views(page);
                case UNIQUES_TODAY -> uniques.counts(page).map(UniqueVisits.Counts::today).orElse(-1L);
                case UNIQUES_7D -> uniques.counts(page).map(UniqueVisits.Counts::lastSevenDays).orElse(-1L);
            };
            send(response, look, value < 0 ? NOT_COUNTED : BadgeText.grouped(value));
        } catch (CounterUnavailableException e) {
            answers(look).notCounted(response, e);
        }
    }

    /** The badge's look, from its query: everything but the number. */
    private BadgeLook look(HttpServletRequest request, Shown shown) {
        String label = request.getParameter("label");
        String color = request.getParameter("color");
        String style = request.getParameter("style");
        if (label == null && color == null && style == null) {
            return plainLooks.get(shown);
        }
        return looks.of(new BadgeText(label == null ? shown.label : label), BadgeColor.fromQuery(color),
                BadgeStyle.fromQuery(style));
    }

    private static boolean counting(String parameter) {
        return switch (parameter == null ? "true" : parameter) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadRequestException("A badge's count is true (the default) or false.");
        };
    }

    private PendingView.Answers answers(BadgeLook look) {
        return new PendingView.Answers() {
            @Override
            public void counted(HttpServletResponse response, long views) throws IOException {
                send(response, look, BadgeText.grouped(views));
            }

            @Override
            public void rejected(HttpServletResponse response) throws IOException {
                HtmlPage.send(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Not counted",
                        "The stored count of this page is not a number the counter can read or add to. "
                                + "The site's operator has to fix it.");
            }

            @Override
            public void unavailable(HttpServletResponse response) throws IOException {
                PageServlet.sendUnavailable(response);
            }
        };
    }

    /** The badge showing {@code value}: a count, or {@link #NOT_COUNTED}. */
    private static void send(HttpServletResponse response, BadgeLook look, String value) throws IOException {
        byte[] body = look.utf8(value);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("image/svg+xml; charset=UTF-8");
        // Browsers and image proxies (GitHub's camo) must ask again on every view, or the count would stand still.
        response.setHeader("Cache-Control", "no-cache, no-store, must-revalidate, max-age=0");
        response.setHeader("Pragma", "no-cache");
        response.setHeader("Expires", "Thu, 01 Jan 1970 00:00:00 GMT");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
