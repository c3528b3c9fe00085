package dev.hitcounter.pages;

import java.util.ArrayList;
import java.util.List;

/**
 * One look of a badge (label, colour and style) rendered once: its SVG as constant pieces with holes between them,
 * which {@link #svg} fills in with the shown value and the widths that depend on it. Immutable and thread-safe.
 */
final class BadgeLook {

    /** What goes in one place of the SVG: known with the look, or a {@link Hole} that each value fills in. */
    sealed interface Slot permits Known, Hole {
    }

    /** Text known with the look, already escaped. */
    record Known(String text) implements Slot {
    }

    /** A place that depends on the shown value. */
    enum Hole implements Slot {
        /** The whole badge's width, in px. */
        TOTAL_WIDTH,
        /** The value itself, escaped. */
        VALUE,
        /** The value side's width, in px. */
        VALUE_WIDTH,
        /** The middle of the value side, in px to a tenth. */
        VALUE_CENTER,
        /** The value's text length, in px to a tenth. */
        VALUE_LENGTH
    }

    private final TextWidth textWidth;
    private final int labelWidth;
    /** One more piece than holes: the SVG is pieces[0] holes[0] pieces[1] ... pieces[n]. */
    private final String[] pieces;
    private final Hole[] holes;
    private final int piecesLength;

    private BadgeLook(TextWidth textWidth, int labelWidth, List<String> pieces, List<Hole> holes) {
        this.textWidth = textWidth;
        this.labelWidth = labelWidth;
        this.pieces = pieces.toArray(String[]::new);
        this.holes = holes.toArray(Hole[]::new);
        this.piecesLength = pieces.stream().mapToInt(String::length).sum();
    }

    /** The badge showing {@code value}, as a standalone SVG document. */
    String svg(String value) {
        int valueTenths = textWidth.tenths(value);
        int valueWidth = Badge.width(valueTenths);
        StringBuilder svg = new StringBuilder(piecesLength + holes.length * (value.length() + 8));
        for (int i = 0; i < holes.length; i++) {
            svg.append(pieces[i]);
            switch (holes[i]) {
                case TOTAL_WIDTH -> svg.append(labelWidth + valueWidth);
                case VALUE -> appendEscaped(svg, value);
                case VALUE_WIDTH -> svg.append(valueWidth);
                case VALUE_CENTER -> appendTenths(svg, labelWidth * 10 + valueWidth * 5);
                case VALUE_LENGTH -> appendTenths(svg, valueTenths);
            }
        }
        return svg.append(pieces[holes.length]).toString();
    }

    /** Writes {@code tenths} as px: {@code 12} for 120, {@code 12.5} for 125. */
    static StringBuilder appendTenths(StringBuilder svg, int tenths) {
        svg.append(tenths / 10);
        return tenths % 10 == 0 ? svg : svg.append('.').append(tenths % 10);
    }

    // As HtmlPage.escape does, without a String of its own per value.
    private static void appendEscaped(StringBuilder svg, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> svg.append("&amp;");
                case '<' -> svg.append("&lt;");
                case '>' -> svg.append("&gt;");
                case '"' -> svg.append("&quot;");
                case '\'' -> svg.append("&#39;");
                default -> svg.append(c);
            }
        }
    }

    /** Collects a look's SVG in order, joining the known text between two holes into one piece. */
    static final class Builder {

        private final List<String> pieces = new ArrayList<>();
        private final List<Hole> holes = new ArrayList<>();
        private final StringBuilder piece = new StringBuilder();

        Builder append(String text) {
            piece.append(text);
            return this;
        }

        Builder append(int number) {
            piece.append(number);
            return this;
        }

        Builder append(Slot slot) {
            if (slot instanceof Hole hole) {
                pieces.add(piece.toString());
                piece.setLength(0);
                holes.add(hole);
            } else {
                piece.append(((Known) slot).text());
            }
            return this;
        }

        /** The look, whose label side is {@code labelWidth} px wide and whose value is measured with textWidth. */
        BadgeLook build(TextWidth textWidth, int labelWidth) {
            List<String> all = new ArrayList<>(pieces);
            all.add(piece.toString());
            return new BadgeLook(textWidth, labelWidth, all, holes);
        }
    }
}
