package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import dev.hitcounter.system.HtmlPage;
import org.junit.jupiter.api.Test;

class BadgeLookTest {

    private static final List<String> LABELS = List.of("views", "visitors today", "visitors this week", "a", "W",
            "Views of a very long page title, which goes on and on: 64 chars!",
            "caf\u00e9 \u00e0 Z\u00fcrich", "\ud83d\udc40 \u4e2d\u6587 \u0416", "<b>&\"'",
            "a\" onload=\"x\" &amp; &#60;", "  spaced  ", "iiiii", "1,234");

    private static final List<String> COLORS = List.of("blue", "brightgreen", "red", "lightgrey", "fff", "#FFFFFF",
            "4c1", "ff69b4", "000");

    private static final List<Long> COUNTS = List.of(0L, 1L, 7L, 11L, 999L, 1_000L, 1_234L, 99_999L, 1_234_567L,
            1_111_111_111L, Long.MAX_VALUE, -1L, -1_234L);

    private final Badge badge = Badge.dejaVuSans();
    private final Reference reference = new Reference(TextWidth.dejaVuSans(), TextWidth.dejaVuSansBold());

    @Test
    void rendersTheSameBytesAsTheWholeBadgeRenderedAtOnce() {
        int compared = 0;
        for (String label : LABELS) {
            BadgeText text = new BadgeText(label);
            for (String color : COLORS) {
                for (BadgeStyle style : BadgeStyle.values()) {
                    BadgeColor fill = BadgeColor.fromQuery(color);
                    BadgeLook look = badge.look(text, fill, style);
                    for (long count : COUNTS) {
                        assertSameBytes(reference.svg(text, BadgeText.count(count), fill, style),
                                look.utf8(BadgeText.grouped(count)));
                    }
                    assertSameBytes(reference.svg(text, new BadgeText("n/a"), fill, style), look.utf8("n/a"));
                    compared += COUNTS.size() + 1;
                }
            }
        }
        assertEquals(LABELS.size() * COLORS.size() * BadgeStyle.values().length * (COUNTS.size() + 1), compared);
    }

    @Test
    void escapesAValueThatNeedsIt() {
        BadgeText label = new BadgeText("views");
        assertSameBytes(reference.svg(label, new BadgeText("<&\"'>"), BadgeColor.DEFAULT, BadgeStyle.FLAT),
                badge.look(label, BadgeColor.DEFAULT, BadgeStyle.FLAT).utf8("<&\"'>"));
    }

    @Test
    void keepsALookForTheNextRequest() {
        BadgeLooks looks = new BadgeLooks(badge, 8);
        BadgeLook first = looks.of(new BadgeText("views"), BadgeColor.fromQuery("red"), BadgeStyle.FLAT);
        assertSame(first, looks.of(new BadgeText("views"), BadgeColor.fromQuery("e05d44"), BadgeStyle.FLAT));
        assertEquals(1, looks.size());
    }

    @Test
    void keepsNoMoreLooksThanItsBoundWhateverLabelsArrive() {
        BadgeLooks looks = new BadgeLooks(badge, 300);
        for (int i = 0; i < 10_000; i++) {
            BadgeText label = new BadgeText("label " + i);
            BadgeLook look = looks.of(label, BadgeColor.DEFAULT, BadgeStyle.FLAT_SQUARE);
            assertTrue(looks.size() <= 300, looks.size() + " looks kept");
            assertSameBytes(reference.svg(label, BadgeText.count(i), BadgeColor.DEFAULT, BadgeStyle.FLAT_SQUARE),
                    look.utf8(BadgeText.grouped(i)));
        }
        assertTrue(looks.size() > 0);
    }

    private static void assertSameBytes(String expected, byte[] actual) {
        // As text first, for a readable difference.
        assertEquals(expected, new String(actual, StandardCharsets.UTF_8));
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), actual);
    }

    /**
     * The badge as Badge rendered it before looks: the whole document per request, the plainest way; and
     * {@code for-the-badge} as shields.io lays it out (capitals at 10 px, the value bold, 1.25 px after each
     * character, 12 px on each side, 28 px tall, no shadow).
     */
    private static final class Reference {

        private final TextWidth regular;
        private final TextWidth bold;

        Reference(TextWidth regular, TextWidth bold) {
            this.regular = regular;
            this.bold = bold;
        }

        /** The badge as a standalone SVG document. */
        String svg(BadgeText label, BadgeText value, BadgeColor color, BadgeStyle style) {
            boolean capitals = style == BadgeStyle.FOR_THE_BADGE;
            Part left = new Part(label, BadgeColor.LABEL, 0, capitals, false);
            Part right = new Part(value, color, left.width, capitals, true);
            int total = left.width + right.width;
            int height = capitals ? 28 : 20;
            String spoken = HtmlPage.escape(left.shown + ": " + right.shown);
            boolean flat = style == BadgeStyle.FLAT;
            StringBuilder svg = new StringBuilder(1024)
                    .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(total)
                    .append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"").append(spoken)
                    .append("\">")
                    .append("<title>").append(spoken).append("</title>");
            if (flat) {
                // Ids are fixed: each badge is its own document when embedded with <img>, as badges are.
                svg.append("<linearGradient id=\"gloss\" x2=\"0\" y2=\"100%\">")
                        .append("<stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/>")
                        .append("<stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>")
                        .append("<clipPath id=\"round\"><rect width=\"").append(total).append("\" height=\"")
                        .append(height).append("\" rx=\"3\" fill=\"#fff\"/></clipPath>")
                        .append("<g clip-path=\"url(#round)\">");
            } else {
                svg.append("<g shape-rendering=\"crispEdges\">");
            }
            left.appendBackground(svg, height);
            right.appendBackground(svg, height);
            if (flat) {
                svg.append("<rect width=\"").append(total).append("\" height=\"").append(height)
                        .append("\" fill=\"url(#gloss)\"/>");
            }
            svg.append("</g>")
                    .append("<g text-anchor=\"middle\" font-family=\"").append("DejaVu Sans,Verdana,Geneva,sans-serif")
                    .append("\" font-size=\"").append(capitals ? 10 : 11)
                    .append("\" text-rendering=\"geometricPrecision\">");
            if (capitals) {
                left.appendText(svg, "17.5", "");
                right.appendText(svg, "17.5", " font-weight=\"bold\"");
            } else {
                if (flat) {
                    left.appendShadow(svg);
                }
                left.appendText(svg, "14", "");
                if (flat) {
                    right.appendShadow(svg);
                }
                right.appendText(svg, "14", "");
            }
            return svg.append("</g></svg>").toString();
        }

        /** One side of the badge: where it is, how wide, and its text. */
        private final class Part {

            final String shown;
            final String text;
            final BadgeColor fill;
            final int x;
            /** The text's width rounded up to a tenth of a px, in tenths. */
            final int textTenths;
            final int width;

            Part(BadgeText text, BadgeColor fill, int x, boolean capitals, boolean value) {
                this.shown = capitals ? text.value().toUpperCase(Locale.ROOT) : text.value();
                this.text = HtmlPage.escape(shown);
                this.fill = fill;
                this.x = x;
                TextWidth font = capitals ? (value ? bold : regular).at(10) : regular;
                // Less a hair: a width that is a whole number of tenths must not round up one more through float error.
                int glyphs = (int) Math.ceil(font.of(shown) * 10 - 1e-9);
                int spacing = capitals ? (int) Math.ceil(shown.codePointCount(0, shown.length()) * 12.5) : 0;
                this.textTenths = glyphs + spacing;
                this.width = (textTenths + 9) / 10 + 2 * (capitals ? 12 : 6);
            }

            void appendBackground(StringBuilder svg, int height) {
                svg.append("<rect");
                if (x > 0) {
                    svg.append(" x=\"").append(x).append('"');
                }
                svg.append(" width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"")
                        .append(fill.css()).append("\"/>");
            }

            void appendShadow(StringBuilder svg) {
                svg.append("<text aria-hidden=\"true\"");
                appendPlacement(svg, "15");
                svg.append(" fill=\"").append(fill.isLight() ? "#ccc" : "#010101").append("\" fill-opacity=\".3\">")
                        .append(text).append("</text>");
            }

            void appendText(StringBuilder svg, String y, String attributes) {
                svg.append("<text");
                appendPlacement(svg, y);
                svg.append(" fill=\"").append(fill.isLight() ? "#333" : "#fff").append('"').append(attributes)
                        .append('>').append(text).append("</text>");
            }

            private void appendPlacement(StringBuilder svg, String y) {
                svg.append(" x=\"").append(tenths(x * 10 + width * 5)).append("\" y=\"").append(y)
                        .append("\" textLength=\"").append(tenths(textTenths)).append('"');
            }
        }

        private static String tenths(int tenths) {
            return tenths % 10 == 0 ? Integer.toString(tenths / 10) : tenths / 10 + "." + tenths % 10;
        }
    }
}
