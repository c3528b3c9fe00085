package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
    void atAnotherSizeScalesTheSameAdvances() {
        TextWidth ten = width.at(10);
        assertEquals(10, ten.size(), 0);
        assertEquals(width.of("VIEWS") * 10 / EM, ten.of("VIEWS"), 1e-9);
        assertEquals(EM, width.size(), 0, "the original is left as it was");
    }

    @Test
    void boldIsWiderThanRegular() {
        TextWidth bold = TextWidth.dejaVuSansBold();
        assertTrue(bold.of("VIEWS 1,234") > width.of("VIEWS 1,234"));
        assertEquals(EM, bold.size(), 0);
    }

    @Test
    void tableMatchesTheFontFileMeasuredByJavaAwt() throws Exception {
        assertTableMatches(DejaVuSansAdvances.FONT, "DejaVu Sans", width);
        assertEquals(FALLBACK, width.of("\u4e2d"), 1e-9);
    }

    @Test
    void boldTableMatchesTheBoldFontFileMeasuredByJavaAwt() throws Exception {
        assertTableMatches(DejaVuSansAdvances.BOLD_FONT, "DejaVu Sans Bold", TextWidth.dejaVuSansBold());
    }

    private static void assertTableMatches(Path file, String name, TextWidth table) throws Exception {
        assumeTrue(Files.isReadable(file),
                file + " is absent, so the table cannot be checked against it: apt-get install fonts-dejavu-core");
        DejaVuSansAdvances font = DejaVuSansAdvances.read(file);
        assertEquals(name, font.fontName());
        int widest = IntStream.of(DejaVuSansAdvances.MEASURED).map(font::advanceInUnits).max().orElseThrow();
        double fallback = widest * EM / font.unitsPerEm;
        for (int c = 0; c <= 0x2ff; c++) {
            String text = Character.toString(c);
            boolean measured = IntStream.of(DejaVuSansAdvances.MEASURED).anyMatch(m -> m == text.codePointAt(0));
            double expected = measured ? font.advance(c, (float) EM) : fallback;
            assertEquals(expected, table.of(text), 1e-9, name + ": width of U+" + Integer.toHexString(c) + " at 11 px");
        }
    }
}
