package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class TextWidthTest {

    private static final double EM = 11;

    /** The widest advance in the table, U+0152 (Œ), in font units of 2048 per em: the fallback. */
    private static final double FALLBACK = 2191 * EM / 2048;

    private final TextWidth width = TextWidth.dejaVuSans();

    @Test
    void sumsTheAdvancesOfDejaVuSansAtElevenPixels() {
        // v i e w s: 1212 + 569 + 1260 + 1675 + 1067 units of 2048 per em.
        assertEquals(5783 * EM / 2048, width.of("views"), 1e-9);
        assertEquals(0, width.of(""), 0);
        assertEquals(EM, width.of("@"), 1e-9);
    }

    @Test
    void measuresAccentedLatinLettersLikeTheirBaseLetters() {
        assertEquals(width.of("cafe"), width.of("caf\u00e9"), 1e-9);
        assertEquals(width.of("Zurich"), width.of("Z\u00fcrich"), 1e-9);
    }

    @Test
    void everyOtherCodePointGetsTheWidestAdvanceOnce() {
        assertEquals(FALLBACK, width.of("\u4e2d"), 1e-9);
        assertEquals(FALLBACK, width.of("\u0416"), 1e-9);
        assertEquals(FALLBACK, width.of("\ud83d\ude00"), 1e-9, "a surrogate pair is one code point");
        assertEquals(width.of("ab") + FALLBACK, width.of("a\u4e2db"), 1e-9);
        assertEquals(FALLBACK, width.of("\u0152"), 1e-9);
    }

    @Test
    void longerTextIsWider() {
        assertTrue(width.of("page views") > width.of("views"));
        assertTrue(width.of("WWW") > width.of("iii"));
    }

    @Test
    void tableMatchesTheFontFileMeasuredByJavaAwt() throws Exception {
        assumeTrue(Files.isReadable(DejaVuSansAdvances.FONT), DejaVuSansAdvances.FONT
                + " is absent, so the table cannot be checked against it: apt-get install fonts-dejavu-core");
        DejaVuSansAdvances font = DejaVuSansAdvances.read(DejaVuSansAdvances.FONT);
        assertEquals("DejaVu Sans", font.fontName());
        int widest = IntStream.of(DejaVuSansAdvances.MEASURED).map(font::advanceInUnits).max().orElseThrow();
        double fallback = widest * EM / font.unitsPerEm;
        assertEquals(FALLBACK, fallback, 1e-9);
        for (int c = 0; c <= 0x2ff; c++) {
            String text = Character.toString(c);
            boolean measured = IntStream.of(DejaVuSansAdvances.MEASURED).anyMatch(m -> m == text.codePointAt(0));
            double expected = measured ? font.advance(c, (float) EM) : fallback;
            assertEquals(expected, width.of(text), 1e-9, "width of U+" + Integer.toHexString(c) + " at 11 px");
        }
    }
}
