package dev.hitcounter.pages;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The width of a line of text in DejaVu Sans or DejaVu Sans Bold at a font size (11 px unless {@link #at} says
 * otherwise), from the font's own advance widths (tables generated from the font files, dejavu-sans-widths.txt and
 * dejavu-sans-bold-widths.txt), so that a badge makes room for its text. Immutable and thread-safe.
 */
final class TextWidth {

    /** The font size of badge text, in px, but for {@code for-the-badge}'s. */
    static final double FONT_SIZE = 11;

    private static final String TABLE = "dejavu-sans-widths.txt";
    private static final String BOLD_TABLE = "dejavu-sans-bold-widths.txt";

    private final int unitsPerEm;
    private final int[] advances;
    private final int fallback;
    private final double size;

    /**
     * @param unitsPerEm the font's units per em
     * @param advances   advance widths in font units indexed by code point; a negative one means {@code fallback}
     * @param fallback   the advance in font units of every code point that {@code advances} does not give
     */
    TextWidth(int unitsPerEm, int[] advances, int fallback) {
        this(unitsPerEm, advances.clone(), fallback, FONT_SIZE);
    }

    private TextWidth(int unitsPerEm, int[] advances, int fallback, double size) {
        this.unitsPerEm = unitsPerEm;
        this.advances = advances;
        this.fallback = fallback;
        this.size = size;
    }

    /** DejaVu Sans at 11 px, from the table kept next to this class. */
    static TextWidth dejaVuSans() {
        return read(TABLE);
    }

    /** DejaVu Sans Bold at 11 px, from the table kept next to this class. */
    static TextWidth dejaVuSansBold() {
        return read(BOLD_TABLE);
    }

    /** The same font at {@code px}. */
    TextWidth at(double px) {
        return new TextWidth(unitsPerEm, advances, fallback, px);
    }

    /** The font size measured, in px. */
    double size() {
        return size;
    }

    private static TextWidth read(String table) {
        try (InputStream in = TextWidth.class.getResourceAsStream(table)) {
            if (in == null) {
                throw new IllegalStateException(table + " is missing from the classpath");
            }
            return parse(table, new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Lines: "units-per-em N", "fallback N", then "<code point in decimal> <advance in font units>".
    private static TextWidth parse(String table, BufferedReader lines) throws IOException {
        int unitsPerEm = 0;
        int fallback = 0;
        int[] advances = new int[0];
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.trim().split(" ");
            int value = Integer.parseInt(fields[1]);
            switch (fields[0]) {
                case "units-per-em" -> unitsPerEm = value;
                case "fallback" -> fallback = value;
                default -> {
                    int codePoint = Integer.parseInt(fields[0]);
                    if (codePoint >= advances.length) {
                        int grown = advances.length;
                        advances = Arrays.copyOf(advances, codePoint + 1);
                        Arrays.fill(advances, grown, advances.length, -1);
                    }
                    advances[codePoint] = value;
                }
            }
        }
        if (unitsPerEm <= 0 || fallback <= 0 || advances.length == 0) {
            throw new IllegalStateException(table + " is incomplete");
        }
        return new TextWidth(unitsPerEm, advances, fallback);
    }

    /**
     * The width of {@code text} in px: the sum of its code points' advances, without kerning (the SVG's
     * {@code textLength} absorbs that and any difference of the font a browser actually uses).
     */
    double of(String text) {
        // A loop rather than codePoints(): a badge's count is measured on the page-coalescer thread (issue 12).
        long units = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            units += units(codePoint);
            i += Character.charCount(codePoint);
        }
        return units * size / unitsPerEm;
    }

    /** The width of {@code text} rounded up to a tenth of a px, in tenths. */
    int tenths(String text) {
        // Less a hair: a width that is a whole number of tenths must not round up one more through float error.
        return (int) Math.ceil(of(text) * 10 - 1e-9);
    }

    private int units(int codePoint) {
        return codePoint < advances.length && advances[codePoint] >= 0 ? advances[codePoint] : fallback;
    }
}
