package dev.hitcounter.pages;

import dev.hitcounter.pages.BadgeLook.Hole;
import dev.hitcounter.pages.BadgeLook.Known;
import dev.hitcounter.pages.BadgeLook.Slot;
import dev.hitcounter.system.HtmlPage;

/**
 * Renders a two-part SVG badge, label on grey and value on a colour ({@code views | 1,234}), in shields.io's
 * {@code flat}, {@code flat-square} and {@code for-the-badge} shapes. Each part is as wide as its text in DejaVu Sans
 * (at 11 px; {@code for-the-badge}: capitals at 10 px, the value in bold, 1.25 px after each character) plus padding,
 * and {@code textLength} makes the text fill exactly that width in whatever font the browser has, so it is never
 * clipped. Text is XML-escaped; the image is labelled for screen readers ({@code role="img"}, {@code aria-label},
 * {@code <title>}). Everything but the value is rendered once per {@link BadgeLook}. Thread-safe.
 */
final class Badge {

    /** Space between a part's edge and its text, on each side, in px, in {@code flat} and {@code flat-square}. */
    static final int PADDING = 6;

    /** {@code for-the-badge}'s: its font size in px, space after each character in hundredths of a px, padding. */
    static final double CAPITALS_SIZE = 10;
    static final int CAPITALS_SPACING = 125;
    static final int CAPITALS_PADDING = 12;

    private static final String FONT_FAMILY = "DejaVu Sans,Verdana,Geneva,sans-serif";

    private final BadgeMetrics plain;
    private final BadgeMetrics capitals;

    /** Measuring text with {@code regular} and, for {@code for-the-badge}'s value, {@code bold}, both at 11 px. */
    Badge(TextWidth regular, TextWidth bold) {
        this.plain = new BadgeMetrics(regular, regular, 0, PADDING, false);
        this.capitals = new BadgeMetrics(regular.at(CAPITALS_SIZE), bold.at(CAPITALS_SIZE), CAPITALS_SPACING,
                CAPITALS_PADDING, true);
    }

    /** Measuring text in DejaVu Sans, the font the badge names first. */
    static Badge dejaVuSans() {
        return new Badge(TextWidth.dejaVuSans(), TextWidth.dejaVuSansBold());
    }

    /** How {@code style} sizes its text. */
    BadgeMetrics metrics(BadgeStyle style) {
        return style == BadgeStyle.FOR_THE_BADGE ? capitals : plain;
    }

    /** The badge as a standalone SVG document. */
    String svg(BadgeText label, BadgeText value, BadgeColor color, BadgeStyle style) {
        return look(label, color, style).svg(value.value());
    }

    /** Everything of a badge but its value, rendered once to show any number of values. */
    BadgeLook look(BadgeText label, BadgeColor color, BadgeStyle style) {
        BadgeMetrics metrics = metrics(style);
        String shown = metrics.shown(label.value());
        String text = HtmlPage.escape(shown);
        int labelTenths = metrics.labelTenths(shown);
        int labelWidth = metrics.width(labelTenths);
        Part left = new Part(BadgeColor.LABEL, 0, new Known(Integer.toString(labelWidth)),
                new Known(BadgeLook.px(labelWidth * 5, true)), new Known(BadgeLook.px(labelTenths, true)),
                new Known(text));
        Part right = new Part(color, labelWidth, Hole.VALUE_WIDTH, Hole.VALUE_CENTER, Hole.VALUE_LENGTH, Hole.VALUE);
        boolean flat = style == BadgeStyle.FLAT;
        int height = style.height();
        BadgeLook.Builder svg = new BadgeLook.Builder()
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(Hole.TOTAL_WIDTH)
                .append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"")
                .append(text).append(": ").append(Hole.VALUE).append("\">")
                .append("<title>").append(text).append(": ").append(Hole.VALUE).append("</title>");
        if (flat) {
            // Ids are fixed: each badge is its own document when embedded with <img>, as badges are.
            svg.append("<linearGradient id=\"gloss\" x2=\"0\" y2=\"100%\">")
                    .append("<stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/>")
                    .append("<stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>")
                    .append("<clipPath id=\"round\"><rect width=\"").append(Hole.TOTAL_WIDTH).append("\" height=\"")
                    .append(height).append("\" rx=\"3\" fill=\"#fff\"/></clipPath>")
                    .append("<g clip-path=\"url(#round)\">");
        } else {
            svg.append("<g shape-rendering=\"crispEdges\">");
        }
        left.appendBackground(svg, height);
        right.appendBackground(svg, height);
        if (flat) {
            svg.append("<rect width=\"").append(Hole.TOTAL_WIDTH).append("\" height=\"").append(height)
                    .append("\" fill=\"url(#gloss)\"/>");
        }
        svg.append("</g>")
                .append("<g text-anchor=\"middle\" font-family=\"").append(FONT_FAMILY)
                .append("\" font-size=\"").append((int) metrics.labelFont().size())
                .append("\" text-rendering=\"geometricPrecision\">");
        if (style == BadgeStyle.FOR_THE_BADGE) {
            // The baseline 17.5 px down a 28 px badge centres 10 px capitals, as shields.io places them.
            left.appendText(svg, "17.5", "");
            right.appendText(svg, "17.5", " font-weight=\"bold\"");
        } else {
            left.appendTextWithShadow(svg, flat);
            right.appendTextWithShadow(svg, flat);
        }
        return svg.append("</g></svg>").build(metrics, labelWidth);
    }

    /**
     * One side of the badge: its fill, where it starts, and its width, middle, text length and text, each known with
     * the look (the label side) or filled in per value (the value side).
     */
    private record Part(BadgeColor fill, int x, Slot width, Slot center, Slot textLength, Slot text) {

        void appendBackground(BadgeLook.Builder svg, int height) {
            svg.append("<rect");
            if (x > 0) {
                svg.append(" x=\"").append(x).append("\"");
            }
            svg.append(" width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"")
                    .append(fill.css()).append("\"/>");
        }

        void appendTextWithShadow(BadgeLook.Builder svg, boolean withShadow) {
            if (withShadow) {
                svg.append("<text aria-hidden=\"true\"");
                appendPlacement(svg, "15");
                svg.append(" fill=\"").append(fill.isLight() ? "#ccc" : "#010101").append("\" fill-opacity=\".3\">")
                        .append(text).append("</text>");
            }
            appendText(svg, "14", "");
        }

        /** The text with its baseline at {@code y} and {@code attributes} (each with a leading space). */
        void appendText(BadgeLook.Builder svg, String y, String attributes) {
            svg.append("<text");
            appendPlacement(svg, y);
            svg.append(" fill=\"").append(fill.isLight() ? "#333" : "#fff").append("\"").append(attributes)
                    .append(">").append(text).append("</text>");
        }

        private void appendPlacement(BadgeLook.Builder svg, String y) {
            svg.append(" x=\"").append(center).append("\" y=\"").append(y)
                    .append("\" textLength=\"").append(textLength).append("\"");
        }
    }
}
