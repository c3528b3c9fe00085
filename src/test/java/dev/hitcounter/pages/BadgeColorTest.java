package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BadgeColorTest {

    @ParameterizedTest
    @CsvSource({
            "brightgreen, #4c1", "green, #97ca00", "yellowgreen, #a4a61d", "yellow, #dfb317", "orange, #fe7d37",
            "red, #e05d44", "blue, #007ec6", "grey, #555", "gray, #555", "lightgrey, #9f9f9f", "lightgray, #9f9f9f",
            "success, #4c1", "important, #fe7d37", "critical, #e05d44", "informational, #007ec6",
            "inactive, #9f9f9f", "BrightGreen, #4c1", "RED, #e05d44"})
    void namesComeFromTheShieldsPalette(String name, String css) {
        assertEquals(css, BadgeColor.fromQuery(name).css());
    }

    @ParameterizedTest
    @CsvSource({"abc, #abc", "#abc, #abc", "aabbcc, #aabbcc", "#AABBCC, #aabbcc", "ff69b4, #ff69b4", "000, #000",
            "#09F, #09f"})
    void hexColoursOfThreeOrSixDigitsAreNormalisedToCss(String parameter, String css) {
        assertEquals(css, BadgeColor.fromQuery(parameter).css());
    }

    @ParameterizedTest
    @CsvSource({"purple, #800080", "pink, #ffc0cb", "hotpink, #ff69b4", "blueviolet, #8a2be2",
            "rebeccapurple, #663399", "HotPink, #ff69b4", "white, #ffffff", "black, #000000", "teal, #008080"})
    void cssColourNamesAreAcceptedAsShieldsAcceptsThem(String name, String css) {
        assertEquals(css, BadgeColor.fromQuery(name).css());
    }

    @Test
    void shieldsOwnNamesWinOverCssWhereBothHaveOne() {
        assertEquals("#97ca00", BadgeColor.fromQuery("green").css());
        assertEquals("#a4a61d", BadgeColor.fromQuery("yellowgreen").css());
        assertEquals("#9f9f9f", BadgeColor.fromQuery("lightgrey").css());
        assertEquals(148, CssColorNames.size());
    }

    @Test
    void lightCssColoursGetDarkText() {
        assertTrue(BadgeColor.fromQuery("white").isLight());
        assertTrue(BadgeColor.fromQuery("pink").isLight());
        assertFalse(BadgeColor.fromQuery("purple").isLight());
    }

    @Test
    void noParameterMeansTheDefault() {
        assertSame(BadgeColor.DEFAULT, BadgeColor.fromQuery(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "#", "ab", "abcd", "abcde", "abcdefa", "#abcd", "aabbccdd", "##abc", "ggg",
            "blue violet", "hot-pink", "rgb(0,0,0)", "hsl(270,60%,70%)", "red;", "red ", " red", "\"/><script>alert(1)</script>",
            "url(#x)", "#abc\"", "\uff41\uff42\uff43", "\u0661\u0662\u0663", "transparent", "currentColor"})
    void refusesAnythingElseWithTheRule(String hostile) {
        BadRequestException refused = assertThrows(BadRequestException.class, () -> BadgeColor.fromQuery(hostile));
        assertEquals(BadgeColor.RULE, refused.getMessage());
    }

    @Test
    void aColourIsAlwaysWritableAsItIs() {
        assertThrows(IllegalArgumentException.class, () -> new BadgeColor("red\"/><x"));
        assertThrows(IllegalArgumentException.class, () -> new BadgeColor("abc"));
    }
}
