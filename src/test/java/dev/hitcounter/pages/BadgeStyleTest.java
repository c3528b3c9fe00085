package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BadgeStyleTest {

    @Test
    void namesTheTwoStyles() {
        assertEquals(BadgeStyle.FLAT, BadgeStyle.fromQuery("flat"));
        assertEquals(BadgeStyle.FLAT_SQUARE, BadgeStyle.fromQuery("flat-square"));
        assertEquals(BadgeStyle.FLAT_SQUARE, BadgeStyle.fromQuery("Flat-Square"));
    }

    @Test
    void noParameterMeansFlat() {
        assertEquals(BadgeStyle.FLAT, BadgeStyle.fromQuery(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plastic", "for-the-badge", "social", "flat_square", "FLAT_SQUARE", "flat ",
            "flat-square<script>"})
    void refusesAnythingElseNamingTheStyles(String hostile) {
        BadRequestException refused = assertThrows(BadRequestException.class, () -> BadgeStyle.fromQuery(hostile));
        assertEquals("A badge style is one of flat, flat-square.", refused.getMessage());
    }
}
