package dev.hitcounter.pages;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.hitcounter.system.HtmlPage;

/**
 * One look of a badge (label, colour and style) rendered once: its SVG as constant pieces with holes between them,
 * which {@link #utf8} fills in with the shown value and the widths that depend on it. Immutable and thread-safe.
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
        /** The middle of the value side, in tenths of a px. */
        VALUE_CENTER,
        /** The value's text length, in tenths of a px. */
        VALUE_LENGTH;

        boolean inTenths() {
            return this == VALUE_CENTER || this == VALUE_LENGTH;
        }
    }

    private final BadgeMetrics metrics;
    private final int labelWidth;
    /** One more piece than holes, in UTF-8: the SVG is pieces[0] holes[0] pieces[1] ... pieces[n]. */
    private final byte[][] pieces;
    private final Hole[] holes;
    private final int piecesLength;

    private BadgeLook(BadgeMetrics metrics, int labelWidth, List<String> pieces, List<Hole> holes) {
        this.metrics = metrics;
        this.labelWidth = labelWidth;
        this.pieces = pieces.stream().map(piece -> piece.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.holes = holes.toArray(Hole[]::new);
        int length = 0;
        for (byte[] piece : this.pieces) {
            length += piece.length;
        }
        this.piecesLength = length;
    }

    /** The badge showing {@code value}, as a standalone SVG document. */
    String svg(String value) {
        return new String(utf8(value), StandardCharsets.UTF_8);
    }

    /** The badge showing {@code value}, as a standalone SVG document in UTF-8. */
    byte[] utf8(String value) {
        // Measured, then written straight into one array of that size: counted badges are all rendered on the one
        // page-coalescer thread (issue 12), and a StringBuilder, its String and their UTF-8 were three copies.
        String drawn = metrics.shown(value);
        byte[] shown = HtmlPage.escape(drawn).getBytes(StandardCharsets.UTF_8);
        int valueTenths = metrics.valueTenths(drawn);
        int length = piecesLength;
        for (Hole hole : holes) {
            length += hole == Hole.VALUE ? shown.length : digits(number(hole, valueTenths), hole.inTenths());
        }
        byte[] svg = new byte[length];
        int at = 0;
        for (int i = 0; i < holes.length; i++) {
            at = copy(pieces[i], svg, at);
            Hole hole = holes[i];
            at = hole == Hole.VALUE ? copy(shown, svg, at) : put(number(hole, valueTenths), hole.inTenths(), svg, at);
        }
        copy(pieces[holes.length], svg, at);
        return svg;
    }

    private int number(Hole hole, int valueTenths) {
        int valueWidth = metrics.width(valueTenths);
        return switch (hole) {
            case TOTAL_WIDTH -> labelWidth + valueWidth;
            case VALUE_WIDTH -> valueWidth;
            case VALUE_CENTER -> labelWidth * 10 + valueWidth * 5;
            case VALUE_LENGTH -> valueTenths;
            case VALUE -> throw new IllegalArgumentException("the value is text, not a number");
        };
    }

    /** {@code number} (at least 0) in px, {@code 12} for 12; or in tenths, {@code 12} for 120, {@code 12.5} for 125. */
    static String px(int number, boolean inTenths) {
        byte[] text = new byte[digits(number, inTenths)];
        put(number, inTenths, text, 0);
        return new String(text, StandardCharsets.US_ASCII);
    }

    private static int digits(int number, boolean inTenths) {
        if (inTenths) {
            return digits(number / 10, false) + (number % 10 == 0 ? 0 : 2);
        }
        int digits = 1;
        for (int rest = number / 10; rest > 0; rest /= 10) {
            digits++;
        }
        return digits;
    }

    private static int put(int number, boolean inTenths, byte[] text, int at) {
        if (inTenths) {
            int end = put(number / 10, false, text, at);
            if (number % 10 == 0) {
                return end;
            }
            text[end] = '.';
            text[end + 1] = (byte) ('0' + number % 10);
            return end + 2;
        }
        int end = at + digits(number, false);
        int rest = number;
        for (int i = end - 1; i >= at; i--) {
            text[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        return end;
    }

    private static int copy(byte[] from, byte[] to, int at) {
        System.arraycopy(from, 0, to, at, from.length);
        return at + from.length;
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

        /** The look, whose label side is {@code labelWidth} px wide and whose value is sized by {@code metrics}. */
        BadgeLook build(BadgeMetrics metrics, int labelWidth) {
            List<String> all = new ArrayList<>(pieces);
            all.add(piece.toString());
            return new BadgeLook(metrics, labelWidth, all, holes);
        }
    }
}
