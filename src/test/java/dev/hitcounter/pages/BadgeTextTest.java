package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BadgeTextTest {

    @ParameterizedTest
    @ValueSource(strings = {"views", "page views", "<script>alert(\"x\")</script>", "a & b", "it's", "caf\u00e9",
            "\u4e2d\u6587", "\ud83d\udc40 views", "x\u0301", "a\u00a0b", " x ", "\u05e9\u05dc\u05d5\u05dd"})
    void acceptsVisibleTextAsItIs(String text) {
        assertEquals(text, new BadgeText(text).value());
    }

    @Test
    void acceptsSixtyFourCodePointsEvenOutsideTheBasicPlane() {
        String eyes = "\ud83d\udc40".repeat(BadgeText.MAX_LENGTH);
        assertEquals(eyes, new BadgeText(eyes).value());
        assertThrows(BadRequestException.class, () -> new BadgeText(eyes + "x"));
        assertThrows(BadRequestException.class, () -> new BadgeText("x".repeat(BadgeText.MAX_LENGTH + 1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a\u0000b", "a\tb", "a\nb", "a\rb", "\u001b[31mred", "a\u007fb", "a\u0085b",
            "\u202eevil", "zero\u200bwidth", "\ufeffbom", "a\u2028b", "a\u2029b", "\ue000", "\ufffe", "\uffff",
            "\ud800", "x\udc00y", " ", "   ", "\u00a0", "\u3000", "\u2003 \u2003"})
    void refusesControlInvisibleAndBrokenCharacters(String hostile) {
        BadRequestException refused = assertThrows(BadRequestException.class, () -> new BadgeText(hostile));
        assertEquals(BadgeText.RULE, refused.getMessage());
    }

    @Test
    void refusesNull() {
        assertThrows(BadRequestException.class, () -> new BadgeText(null));
    }

    @Test
    void countsHaveACommaBetweenThousandsInAnyLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            assertEquals("0", BadgeText.count(0).value());
            assertEquals("999", BadgeText.count(999).value());
            assertEquals("1,234", BadgeText.count(1234).value());
            assertEquals("1,234,567", BadgeText.count(1_234_567).value());
            assertEquals("9,223,372,036,854,775,807", BadgeText.count(Long.MAX_VALUE).value());
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void countsAreGroupedAsJavasFormatterGroupsThemInTheRootLocale() {
        for (long power = 1; power > 0 && power <= Long.MAX_VALUE / 10; power *= 10) {
            for (long count : new long[] {power - 1, power, power + 1, 7 * power, -power, -power - 1}) {
                assertEquals(String.format(Locale.ROOT, "%,d", count), BadgeText.count(count).value());
            }
        }
        assertEquals(String.format(Locale.ROOT, "%,d", Long.MIN_VALUE), BadgeText.count(Long.MIN_VALUE).value());
    }
}
