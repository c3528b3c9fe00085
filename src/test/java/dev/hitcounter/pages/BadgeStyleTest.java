package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BadgeStyleTest {

    @Test
    void namesTheThreeStyles() {
        assertEquals(BadgeStyle.FLAT, BadgeStyle.fromQuery("flat"));
        assertEquals(BadgeStyle.FLAT_SQUARE, BadgeStyle.fromQuery("flat-square"));
        assertEquals(BadgeStyle.FLAT_SQUARE, BadgeStyle.fromQuery("Flat-Square"));
        assertEquals(BadgeStyle.FOR_THE_BADGE, BadgeStyle.fromQuery("for-the-badge"));
        assertEquals(BadgeStyle.FOR_THE_BADGE, BadgeStyle.fromQuery("FOR-THE-BADGE"));
    }

    @Test
    void forTheBadgeIsTallerThanTheFlatOnes() {
        assertEquals(20, BadgeStyle.FLAT.height());
        assertEquals(20, BadgeStyle.FLAT_SQUARE.height());
        assertEquals(28, BadgeStyle.FOR_THE_BADGE.height());
    }

    @Test
    void noParameterMeansFlat() {
        assertEquals(BadgeStyle.FLAT, BadgeStyle.fromQuery(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plastic", "social", "flat_square", "FLAT_SQUARE", "flat ", "for_the_badge",
            "forthebadge", "flat-square<script>"})
    void refusesAnythingElseNamingTheStyles(String hostile) {
        BadRequestException refused = assertThrows(BadRequestException.class, () -> BadgeStyle.fromQuery(hostile));
        assertEquals("A badge style is one of flat, flat-square, for-the-badge.", refused.getMessage());
    }
}
