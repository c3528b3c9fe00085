package dev.hitcounter.owner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.hitcounter.system.HtmlPage;

/**
 * The HTML of {@code /stats} (issue 24 part 2), rendered on the server: every page's counts in a table sorted by a
 * column that each header links to, and for a chosen page its last 30 and 90 days as inline SVG bar charts with the
 * same numbers in a table. No script; the one style block is allowed by its hash in the page's CSP.
 */
final class StatsPage {

    /** The columns, by the name the {@code sort} parameter gives them. */
    enum Column {
        PAGE("page", "Page", Comparator.comparing(OwnerStore.Summary::page)),
        TOTAL("total", "Total", Comparator.comparingLong(OwnerStore.Summary::total).reversed()),
        TODAY("today", "Today", Comparator.comparingLong(OwnerStore.Summary::today).reversed()),
        WEEK("week", "Last 7 days", Comparator.comparingLong(OwnerStore.Summary::lastSevenDays).reversed()),
        UNIQUES("uniques", "Unique visitors (7 days)",
                Comparator.comparingLong(OwnerStore.Summary::uniqueVisitors).reversed());

        final String parameter;
        final String title;
        final Comparator<OwnerStore.Summary> order;

        Column(String parameter, String title, Comparator<OwnerStore.Summary> order) {
            this.parameter = parameter;
            this.title = title;
            this.order = order;
        }

        static Optional<Column> named(String parameter) {
            for (Column column : values()) {
                if (column.parameter.equals(parameter)) {
                    return Optional.of(column);
                }
            }
            return Optional.empty();
        }
    }

    /** The height of a chart's tallest bar, in CSS pixels. */
    static final int CHART_HEIGHT = 120;
    private static final int BAR_WIDTH = 8;

    static final String STYLE = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
            + "table{border-collapse:collapse;margin:1em 0}th,td{padding:.25em .75em;text-align:right}"
            + "th:first-child,td:first-child{text-align:left}tr:nth-child(even){background:#f3f3f3}"
            + "th a{color:inherit}th.sorted a{text-decoration:none}svg{display:block;margin:.5em 0}"
            + "details{margin-bottom:2em}";

    /** The page's Content-Security-Policy: the house's, with this one style block allowed by its hash. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'sha256-" + sha256(STYLE)
            + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private StatsPage() {
    }

    static String render(List<OwnerStore.Summary> pages, Column sort, Optional<String> chosen,
            Optional<List<OwnerStore.Day>> days) {
        List<OwnerStore.Summary> sorted = new ArrayList<>(pages);
        sorted.sort(sort.order.thenComparing(OwnerStore.Summary::page));
        StringBuilder html = new StringBuilder(4096);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width\"><title>hit-counter stats</title>")
                .append("<style>").append(STYLE).append("</style></head>\n<body>\n<h1>Views of every page</h1>\n");
        html.append("<table id=\"pages\"><thead><tr>");
        for (Column column : Column.values()) {
            html.append(column == sort ? "<th class=\"sorted\" aria-sort=\"" + (column == Column.PAGE
                    ? "ascending" : "descending") + "\">" : "<th>");
            html.append("<a href=\"?sort=").append(column.parameter)
                    .append(chosen.map(page -> "&amp;page=" + HtmlPage.escape(page)).orElse("")).append("\">")
                    .append(HtmlPage.escape(column.title)).append("</a></th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (OwnerStore.Summary page : sorted) {
            html.append("<tr><td><a href=\"?sort=").append(sort.parameter).append("&amp;page=")
                    .append(HtmlPage.escape(page.page())).append("\">").append(HtmlPage.escape(page.page()))
                    .append("</a></td><td>").append(number(page.total())).append("</td><td>")
                    .append(number(page.today())).append("</td><td>").append(number(page.lastSevenDays()))
                    .append("</td><td>").append(number(page.uniqueVisitors())).append("</td></tr>\n");
        }
        html.append("</tbody></table>\n");
        if (sorted.isEmpty()) {
            html.append("<p>No page has been counted yet.</p>\n");
        }
        if (chosen.isPresent() && days.isPresent()) {
            String page = HtmlPage.escape(chosen.get());
            List<OwnerStore.Day> all = days.get();
            html.append("<h2>").append(page).append("</h2>\n");
            for (int span : new int[] {30, 90}) {
                List<OwnerStore.Day> shown = all.subList(Math.max(0, all.size() - span), all.size());
                html.append("<h3>Last ").append(span).append(" days</h3>\n");
                chart(html, "chart-" + span, page + ": views per day, last " + span + " days", shown);
                html.append("<details><summary>The numbers</summary>\n<table id=\"days-").append(span)
                        .append("\"><thead><tr><th>Day (UTC)</th><th>Views</th><th>Unique visitors</th></tr></thead>")
                        .append("<tbody>\n");
                for (OwnerStore.Day day : shown) {
                    html.append("<tr><td>").append(day.date()).append("</td><td>").append(number(day.views()))
                            .append("</td><td>").append(number(day.uniqueVisitors())).append("</td></tr>\n");
                }
                html.append("</tbody></table></details>\n");
            }
        }
        html.append("</body>\n</html>\n");
        return html.toString();
    }

    /** One bar per day, oldest at the left, the tallest {@link #CHART_HEIGHT} pixels high. */
    private static void chart(StringBuilder html, String id, String label, List<OwnerStore.Day> days) {
        long most = days.stream().mapToLong(OwnerStore.Day::views).max().orElse(0);
        int width = days.size() * (BAR_WIDTH + 2);
        html.append("<svg id=\"").append(id).append("\" role=\"img\" aria-label=\"").append(label)
                .append("\" width=\"").append(width).append("\" height=\"").append(CHART_HEIGHT + 1)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(CHART_HEIGHT + 1)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\">");
        html.append("<line x1=\"0\" y1=\"").append(CHART_HEIGHT).append("\" x2=\"").append(width).append("\" y2=\"")
                .append(CHART_HEIGHT).append("\" stroke=\"#999\"/>");
        for (int i = 0; i < days.size(); i++) {
            OwnerStore.Day day = days.get(i);
            double height = most == 0 ? 0 : (double) CHART_HEIGHT * day.views() / most;
            html.append("<rect class=\"bar\" x=\"").append(i * (BAR_WIDTH + 2)).append("\" y=\"")
                    .append(String.format(Locale.ROOT, "%.2f", CHART_HEIGHT - height)).append("\" width=\"")
                    .append(BAR_WIDTH).append("\" height=\"").append(String.format(Locale.ROOT, "%.2f", height))
                    .append("\" fill=\"#4c1\" data-date=\"").append(day.date()).append("\" data-views=\"")
                    .append(day.views()).append("\"><title>").append(day.date()).append(": ")
                    .append(number(day.views())).append(" views</title></rect>");
        }
        html.append("</svg>\n");
    }

    private static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
