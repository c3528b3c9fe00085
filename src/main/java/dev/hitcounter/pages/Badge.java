package dev.hitcounter.pages;

import dev.hitcounter.pages.BadgeLook.Hole;
import dev.hitcounter.pages.BadgeLook.Known;
import dev.hitcounter.pages.BadgeLook.Slot;
import dev.hitcounter.system.HtmlPage;

/**
 * Renders a two-part SVG badge, label on grey and value on a colour ({@code views | 1,234}), in shields.io's
 * {@code flat} and {@code flat-square} shapes. Each part is as wide as its text in DejaVu Sans at 11 px plus padding,
 * and {@code textLength} makes the text fill exactly that width in whatever font the browser has, so it is never
 * clipped. Text is XML-escaped; the image is labelled for screen readers ({@code role="img"}, {@code aria-label},
 * {@code <title>}). Everything but the value is rendered once per {@link BadgeLook}. Thread-safe.
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
        return look(label, color, style).svg(value.value());
    }

    /** Everything of a badge but its value, rendered once to show any number of values. */
    BadgeLook look(BadgeText label, BadgeColor color, BadgeStyle style) {
        String text = HtmlPage.escape(label.value());
        int labelTenths = textWidth.tenths(label.value());
        int labelWidth = width(labelTenths);
        Part left = new Part(BadgeColor.LABEL, 0, new Known(Integer.toString(labelWidth)),
                new Known(BadgeLook.px(labelWidth * 5, true)), new Known(BadgeLook.px(labelTenths, true)),
                new Known(text));
        Part right = new Part(color, labelWidth, Hole.VALUE_WIDTH, Hole.VALUE_CENTER, Hole.VALUE_LENGTH, Hole.VALUE);
        boolean flat = style == BadgeStyle.FLAT;
        BadgeLook.Builder svg = new BadgeLook.Builder()
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(Hole.TOTAL_WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" role=\"img\" aria-label=\"")
                .append(text).append(": ").append(Hole.VALUE).append("\">")
                .append("<title>").append(text).append(": ").append(Hole.VALUE).append("</title>");
        if (flat) {
            // Ids are fixed: each badge is its own document when embedded with <img>, as badges are.
            svg.append("<linearGradient id=\"gloss\" x2=\"0\" y2=\"100%\">")
                    .append("<stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/>")
                    .append("<stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>")
                    .append("<clipPath id=\"round\"><rect width=\"").append(Hole.TOTAL_WIDTH).append("\" height=\"")
                    .append(HEIGHT).append("\" rx=\"3\" fill=\"#fff\"/></clipPath>")
                    .append("<g clip-path=\"url(#round)\">");
        } else {
            svg.append("<g shape-rendering=\"crispEdges\">");
        }
        left.appendBackground(svg);
        right.appendBackground(svg);
        if (flat) {
            svg.append("<rect width=\"").append(Hole.TOTAL_WIDTH).append("\" height=\"").append(HEIGHT)
                    .append("\" fill=\"url(#gloss)\"/>");
        }
        svg.append("</g>")
                .append("<g text-anchor=\"middle\" font-family=\"").append(FONT_FAMILY)
                .append("\" font-size=\"").append((int) TextWidth.FONT_SIZE)
                .append("\" text-rendering=\"geometricPrecision\">");
        left.appendText(svg, flat);
        right.appendText(svg, flat);
        return svg.append("</g></svg>").build(textWidth, labelWidth);
    }

    /** The width in px of a part whose text is {@code textTenths} tenths of a px wide. */
    static int width(int textTenths) {
        return (textTenths + 9) / 10 + 2 * PADDING;
    }

    /**
     * One side of the badge: its fill, where it starts, and its width, middle, text length and text, each known with
     * the look (the label side) or filled in per value (the value side).
     */
    private record Part(BadgeColor fill, int x, Slot width, Slot center, Slot textLength, Slot text) {

        void appendBackground(BadgeLook.Builder svg) {
            svg.append("<rect");
            if (x > 0) {
                svg.append(" x=\"").append(x).append("\"");
            }
            svg.append(" width=\"").append(width).append("\" height=\"").append(HEIGHT).append("\" fill=\"")
                    .append(fill.css()).append("\"/>");
        }

        void appendText(BadgeLook.Builder svg, boolean withShadow) {
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

        private void appendPlacement(BadgeLook.Builder svg, int y) {
            svg.append(" x=\"").append(center).append("\" y=\"").append(y)
                    .append("\" textLength=\"").append(textLength).append("\"");
        }
    }
}
