package dev.hitcounter.pages;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.font.FontRenderContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * Measures DejaVu Sans's advance widths with java.awt (headless) for TextWidthTest, and writes the tables that
 * TextWidth reads: {@code java -cp target/test-classes dev.hitcounter.pages.DejaVuSansAdvances >
 * src/main/resources/dev/hitcounter/pages/dejavu-sans-widths.txt}, and with the argument {@code bold} DejaVu Sans
 * Bold's, {@code dejavu-sans-bold-widths.txt}.
 */
final class DejaVuSansAdvances {

    /** Where Debian's fonts-dejavu-core puts the font. */
    static final Path FONT = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");

    /** Its bold face, in the same package. */
    static final Path BOLD_FONT = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");

    /**
     * The code points in the table: printable ASCII, then Latin-1 Supplement and Latin Extended-A from the no-break
     * space, so accented Latin letters are measured too rather than given the fallback.
     */
    static final int[] MEASURED =
            IntStream.concat(IntStream.rangeClosed(0x20, 0x7e), IntStream.rangeClosed(0xa0, 0x17f)).toArray();

    final int unitsPerEm;
    private final Font font;

    private DejaVuSansAdvances(int unitsPerEm, Font font) {
        this.unitsPerEm = unitsPerEm;
        this.font = font;
    }

    static DejaVuSansAdvances read(Path file) throws IOException, FontFormatException {
        System.setProperty("java.awt.headless", "true");
        byte[] bytes = Files.readAllBytes(file);
        Font font;
        try (InputStream in = Files.newInputStream(file)) {
            font = Font.createFont(Font.TRUETYPE_FONT, in);
        }
        return new DejaVuSansAdvances(unitsPerEm(ByteBuffer.wrap(bytes)), font);
    }

    /** The advance of {@code codePoint} in {@code size} px, unhinted, as a browser lays it out. */
    double advance(int codePoint, float size) {
        // Fractional metrics without hinting: the outline's own advance, not one rounded to whole pixels.
        FontRenderContext unhinted = new FontRenderContext(null, true, true);
        return font.deriveFont(size)
                .createGlyphVector(unhinted, Character.toChars(codePoint))
                .getGlyphMetrics(0)
                .getAdvanceX();
    }

    /** The advance of {@code codePoint} in font units: at a size of one em in units, the advance is the units. */
    int advanceInUnits(int codePoint) {
        double advance = advance(codePoint, unitsPerEm);
        long units = Math.round(advance);
        if (Math.abs(advance - units) > 1e-6) {
            throw new IllegalStateException("advance of U+" + Integer.toHexString(codePoint) + " is " + advance
                    + " at " + unitsPerEm + " px, not a whole number of font units");
        }
        return (int) units;
    }

    String fontName() {
        return font.getFontName();
    }

    // unitsPerEm is a uint16 at offset 18 of the 'head' table (OpenType spec, "head - Font Header Table"),
    // which java.awt does not expose.
    private static int unitsPerEm(ByteBuffer ttf) {
        int tables = Short.toUnsignedInt(ttf.getShort(4));
        for (int i = 0; i < tables; i++) {
            int record = 12 + 16 * i;
            if (ttf.getInt(record) == 0x68656164) { // "head"
                return Short.toUnsignedInt(ttf.getShort(ttf.getInt(record + 8) + 18));
            }
        }
        throw new IllegalStateException("no head table");
    }

    public static void main(String[] args) throws IOException, FontFormatException {
        Path file = args.length > 0 && args[0].equals("bold") ? BOLD_FONT : FONT;
        DejaVuSansAdvances font = read(file);
        int[] advances = IntStream.of(MEASURED).map(font::advanceInUnits).toArray();
        StringBuilder table = new StringBuilder()
                .append("# Advance widths of ").append(font.fontName())
                .append(" (" + file + "), in font units,\n")
                .append("# for printable ASCII and U+00A0 to U+017F (Latin-1 Supplement, Latin Extended-A).\n")
                .append("# Written by DejaVuSansAdvances (src/test/java/dev/hitcounter/pages);")
                .append(" TextWidthTest checks it.\n")
                .append("# fallback, for every other code point: the widest of them,")
                .append(" so no character gets less room than a known one.\n")
                .append("units-per-em ").append(font.unitsPerEm).append('\n')
                .append("fallback ").append(IntStream.of(advances).max().orElseThrow()).append('\n');
        for (int i = 0; i < advances.length; i++) {
            table.append(MEASURED[i]).append(' ').append(advances[i]).append('\n');
        }
        System.out.print(table);
    }
}
