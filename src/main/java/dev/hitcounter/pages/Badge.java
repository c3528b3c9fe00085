package dev.hitcounter.pages;

import dev.hitcounter.system.HtmlPage;

/**
 * Renders a two-part SVG badge, label on grey and value on a colour ({@code views | 1,234}), in shields.io's
 * {@code flat} and {@code flat-square} shapes. Each part is as wide as its text in DejaVu Sans at 11 px plus padding,
 * and {@code textLength} makes the text fill exactly that width in whatever font the browser has, so it is never
 * clipped. Text is XML-escaped; the image is labelled for screen readers ({@code role="img"}, {@code aria-label},
 * {@code <title>}). Thread-safe.
 */
final class Badge {

    static final int HEIGHT = 20;

    /** Space between a part's edge and its text, on each side, in px. */
    static final int PADDING = 6;

    private static final String FONT_FAMILY = "DejaVu Sans,Verdana,Geneva,sans-serif";

    private final TextWidth textWidth;

    Badge(TextWidth textWidth) {
        this.textWidth = textWidth;
    }

    /** The badge as a standalone SVG document. */
    String svg(BadgeText label, BadgeText value, BadgeColor color, BadgeStyle style) {
        Part left = new Part(label, BadgeColor.LABEL, 0);
        Part right = new Part(value, color, left.width);
        int total = left.width + right.width;
        String spoken = HtmlPage.escape(label.value() + ": " + value.value());
        boolean flat = style == BadgeStyle.FLAT;
        StringBuilder svg = new StringBuilder(1024)
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(total)
                .append("\" height=\"").append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(spoken)
                .append("\">")
                .append("<title>").append(spoken).append("</title>");
        if (flat) {
            // Ids are fixed: each badge is its own document when embedded with <img>, as badges are.
            svg.append("<linearGradient id=\"gloss\" x2=\"0\" y2=\"100%\">")
                    .append("<stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/>")
                    .append("<stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>")
                    .append("<clipPath id=\"round\"><rect width=\"").append(total).append("\" height=\"")
                    .append(HEIGHT).append("\" rx=\"3\" fill=\"#fff\"/></clipPath>")
                    .append("<g clip-path=\"url(#round)\">");
        } else {
            svg.append("<g shape-rendering=\"crispEdges\">");
        }
        left.appendBackground(svg);
        right.appendBackground(svg);
        if (flat) {
            svg.append("<rect width=\"").append(total).append("\" height=\"").append(HEIGHT)
                    .append("\" fill=\"url(#gloss)\"/>");
        }
        svg.append("</g>")
                .append("<g text-anchor=\"middle\" font-family=\"").append(FONT_FAMILY)
                .append("\" font-size=\"").append((int) TextWidth.FONT_SIZE)
                .append("\" text-rendering=\"geometricPrecision\">");
        left.appendText(svg, flat);
        right.appendText(svg, flat);
        return svg.append("</g></svg>").toString();
    }

    /** One side of the badge: where it is, how wide, and its text. */
    private final class Part {

        final String text;
        final BadgeColor fill;
        final int x;
        /** The text's width rounded up to a tenth of a px, in tenths. */
        final int textTenths;
        final int width;

        Part(BadgeText text, BadgeColor fill, int x) {
            this.text = HtmlPage.escape(text.value());
            this.fill = fill;
            this.x = x;
            // Less a hair: a width that is a whole number of tenths must not round up one more through float error.
            this.textTenths = (int) Math.ceil(textWidth.of(text.value()) * 10 - 1e-9);
            this.width = (textTenths + 9) / 10 + 2 * PADDING;
        }

        void appendBackground(StringBuilder svg) {
            svg.append("<rect");
            if (x > 0) {
                svg.append(" x=\"").append(x).append('"');
            }
            svg.append(" width=\"").append(width).append("\" height=\"").append(HEIGHT).append("\" fill=\"")
                    .append(fill.css()).append("\"/>");
        }

        void appendText(StringBuilder svg, boolean withShadow) {
            boolean dark = fill.isLight();
            if (withShadow) {
                svg.append("<text aria-hidden=\"true\"");
                appendPlacement(svg, 15);
                svg.append(" fill=\"").append(dark ? "#ccc" : "#010101").append("\" fill-opacity=\".3\">")
                        .append(text).append("</text>");
            }
            svg.append("<text");
            appendPlacement(svg, 14);
            svg.append(" fill=\"").append(dark ? "#333" : "#fff").append("\">").append(text).append("</text>");
        }

        private void appendPlacement(StringBuilder svg, int y) {
            svg.append(" x=\"").append(tenths(x * 10 + width * 5)).append("\" y=\"").append(y)
                    .append("\" textLength=\"").append(tenths(textTenths)).append('"');
        }
    }

    private static String tenths(int tenths) {
        return tenths % 10 == 0 ? Integer.toString(tenths / 10) : tenths / 10 + "." + tenths % 10;
    }
}
