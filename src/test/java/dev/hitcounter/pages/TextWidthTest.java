package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;

class TextWidthTest {

    private static final double EM = 11;

    private final TextWidth width = TextWidth.dejaVuSans();

    @Test
    void sumsTheAdvancesOfDejaVuSansAtElevenPixels() {
        // v i e w s: 1212 + 569 + 1260 + 1675 + 1067 units of 2048 per em.
        assertEquals(5783 * EM / 2048, width.of("views"), 1e-9);
        assertEquals(0, width.of(""), 0);
        assertEquals(EM, width.of("@"), 1e-9);
    }

    @Test
    void everyOtherCodePointGetsTheWidestAdvanceOnce() {
        assertEquals(EM, width.of("\u00e9"), 1e-9);
        assertEquals(EM, width.of("\u4e2d"), 1e-9);
        assertEquals(EM, width.of("\ud83d\ude00"), 1e-9, "a surrogate pair is one code point");
        assertEquals(width.of("ab") + EM, width.of("a\u00e9b"), 1e-9);
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
        int widest = 0;
        for (int c = TextWidth.FIRST; c <= TextWidth.LAST; c++) {
            String text = Character.toString(c);
            assertEquals(font.advance(c, (float) EM), width.of(text), 1e-9, "advance of '" + text + "' at 11 px");
            widest = Math.max(widest, font.advanceInUnits(c));
        }
        assertEquals(widest * EM / font.unitsPerEm, width.of("\u00e9"), 1e-9, "fallback is the widest advance");
    }
}
