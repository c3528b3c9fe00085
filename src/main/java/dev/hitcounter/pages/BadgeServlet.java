package dev.hitcounter.pages;

import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import dev.hitcounter.counter.PendingView;
import dev.hitcounter.system.AsyncAnswer;
import dev.hitcounter.system.ErrorPages;
import dev.hitcounter.system.GetOnlyServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /badge/{page}.svg}: counts one view of the page and answers an SVG badge with its count, e.g.
 * {@code views | 1,234}. The query sets {@code label}, {@code color} and {@code style}; {@code count=false} shows
 * without counting; {@code value=uniques-today} or {@code uniques-7d} shows the page's unique visitors (and never
 * counts: put it beside a badge that does). {@code HEAD} counts nothing. What is not counted is read without holding
 * the request thread ({@link PageReads}); a badge that cannot show a count is an SVG saying why ({@link BadgeAnswers}).
 */
final class BadgeServlet extends GetOnlyServlet {

    static final String PATH = "/badge/";
    private static final String SUFFIX = ".svg";

    /** What a badge shows for unique visitors that are not counted here. */
    private static final String NOT_COUNTED = "n/a";

    private final transient Pages pages;
    private final transient PageCoalescer coalescer;
    private final transient PageReads reads;
    private final transient PageCounter store;
    private final transient UniqueVisits uniques;
    private final transient BadgeLooks looks;
    private final transient BadgeAnswers badges;
    /** The answer of a counting badge whose page is new while {@code MAX_PAGES} pages exist. */
    private final transient AsyncAnswer.Body whenFull;
    /** The look of a badge whose query sets no label, colour or style: most of them. */
    private final transient Map<Shown, BadgeLook> plainLooks = new EnumMap<>(Shown.class);

    BadgeServlet(Pages pages, PageCoalescer coalescer, PageReads reads, PageCounter store, UniqueVisits uniques,
            BadgeLooks looks) {
        this.pages = pages;
        this.coalescer = coalescer;
        this.reads = reads;
        this.store = store;
        this.uniques = uniques;
        this.looks = looks;
        this.badges = new BadgeAnswers(looks);
        this.whenFull = response -> badges.notCounted(response, HttpServletResponse.SC_NOT_FOUND);
        for (Shown shown : Shown.values()) {
            plainLooks.put(shown, looks.of(shown.text, BadgeColor.DEFAULT, BadgeStyle.FLAT));
        }
    }

    /** What the badge shows, from the {@code value} query parameter. */
    private enum Shown {
        VIEWS("views", "views"), UNIQUES_TODAY("uniques-today", "visitors today"),
        UNIQUES_7D("uniques-7d", "visitors this week");

        final String parameter;
        final BadgeText text;

        Shown(String parameter, String label) {
            this.parameter = parameter;
            this.text = new BadgeText(label);
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
        Optional<Pages.Refusal> refusal = pages.refusal(page);
        if (refusal.isPresent()) {
            badges.notCounted(response, refusal.get().status());
            return;
        }
        Shown shown;
        BadgeText label;
        BadgeLook look;
        boolean counting;
        try {
            shown = Shown.fromQuery(request.getParameter("value"));
            label = label(request, shown);
            look = look(request, shown, label);
            counting = counting(request.getParameter("count")) && shown == Shown.VIEWS && mayCount;
        } catch (BadRequestException e) {
            badges.badOption(response);
            return;
        }
        PendingView.Answers answers = badges.of(look, label);
        if (counting) {
            coalescer.serve(request, page, answers, whenFull);
            return;
        }
        PageReads.Key key = new PageReads.Key(shown.parameter, page);
        switch (shown) {
            case VIEWS -> reads.serve(request, key, () -> store.views(page),
                    (answer, views) -> answers.counted(answer, views), answers);
            case UNIQUES_TODAY -> reads.serve(request, key, () -> uniques.countToday(page),
                    (answer, visitors) -> sendVisitors(answer, look, visitors), answers);
            case UNIQUES_7D -> reads.serve(request, key, () -> uniques.countLastSevenDays(page),
                    (answer, visitors) -> sendVisitors(answer, look, visitors), answers);
        }
    }

    /** The badge's label, from its query: the value's own unless it names one. */
    private static BadgeText label(HttpServletRequest request, Shown shown) {
        String label = request.getParameter("label");
        return label == null ? shown.text : new BadgeText(label);
    }

    /** The badge's look, from its query: everything but the number. */
    private BadgeLook look(HttpServletRequest request, Shown shown, BadgeText label) {
        String color = request.getParameter("color");
        String style = request.getParameter("style");
        if (request.getParameter("label") == null && color == null && style == null) {
            return plainLooks.get(shown);
        }
        return looks.of(label, BadgeColor.fromQuery(color), BadgeStyle.fromQuery(style));
    }

    private static boolean counting(String parameter) {
        return switch (parameter == null ? "true" : parameter) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadRequestException("A badge's count is true (the default) or false.");
        };
    }

    /** The badge of unique visitors: their count, or {@link #NOT_COUNTED} where they are not counted. */
    private static void sendVisitors(HttpServletResponse response, BadgeLook look, OptionalLong visitors)
            throws IOException {
        BadgeAnswers.send(response, HttpServletResponse.SC_OK, look,
                visitors.isPresent() ? BadgeText.grouped(visitors.getAsLong()) : NOT_COUNTED);
    }
}
