package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PageNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "home", "blog.2024-01-02", "My_Page~v2", "...", ".hidden", "x..y", "0",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void acceptsUnreservedNamesOfOneToSixtyFourCharacters(String name) {
        assertEquals(name, new PageName(name).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "/", "../views", "a%2Fb", "%2e%2e", "a b", " a", "a\tb", "a\nb",
            "a\rb", "a\u0000b", "a\u007fb", "caf\u00e9", "\u0430dmin", "\uff41", "\ud83d\ude00", "a?b", "a#b", "a;b",
            "a:b", "a\\b", "a+b", "<script>", "a\"b", "a'b", "a&b", "a*b", "views\u200b", "\u202eabc",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void refusesEverythingElseWithTheRuleAndNotTheName(String hostile) {
        BadRequestException refused = assertThrows(BadRequestException.class, () -> new PageName(hostile));
        assertEquals(PageName.RULE, refused.getMessage());
    }

    @Test
    void refusesNull() {
        assertThrows(BadRequestException.class, () -> new PageName(null));
    }

    @Test
    void theRuleDoesNotRepeatTheRefusedName() {
        String hostile = "<script>alert(1)</script>";
        BadRequestException refused = assertThrows(BadRequestException.class, () -> new PageName(hostile));
        assertFalse(refused.getMessage().contains("script"));
    }

    @Test
    void namesAreCaseSensitive() {
        assertNotEquals(new PageName("Home"), new PageName("home"));
        assertEquals(new PageName("home"), new PageName("home"));
    }

    @Test
    void sixtyFiveCharactersAreOneTooMany() {
        assertEquals(64, new PageName("x".repeat(PageName.MAX_LENGTH)).value().length());
        assertThrows(BadRequestException.class, () -> new PageName("x".repeat(PageName.MAX_LENGTH + 1)));
    }
}
