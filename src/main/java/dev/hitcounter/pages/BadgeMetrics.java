package dev.hitcounter.pages;

import java.util.Locale;

/**
 * How one badge style sizes its text, so that the value is sized as the label was: the fonts each side is measured
 * in, the space the style adds after every character, the room on each side of a text, and whether it is drawn in
 * capitals. Immutable and thread-safe.
 *
 * @param labelFont               the label's font and size
 * @param valueFont               the value's font and size
 * @param letterSpacingHundredths what the style adds after each character, in hundredths of a px
 * @param padding                 room between a part's edge and its text, on each side, in px
 * @param upperCase               whether both texts are drawn in capitals
 */
record BadgeMetrics(TextWidth labelFont, TextWidth valueFont, int letterSpacingHundredths, int padding,
        boolean upperCase) {

    /** {@code text} as the badge draws it. */
    String shown(String text) {
        // Locale.ROOT: a Turkish default locale must not turn "views" into "VİEWS".
        return upperCase ? text.toUpperCase(Locale.ROOT) : text;
    }

    /** The room for the shown label, rounded up to a tenth of a px, in tenths. */
    int labelTenths(String shown) {
        return tenths(labelFont, shown);
    }

    /** The room for the shown value, rounded up to a tenth of a px, in tenths. */
    int valueTenths(String shown) {
        return tenths(valueFont, shown);
    }

    /** The width in px of a part whose text is {@code textTenths} tenths of a px wide. */
    int width(int textTenths) {
        return (textTenths + 9) / 10 + 2 * padding;
    }

    private int tenths(TextWidth font, String shown) {
        int tenths = font.tenths(shown);
        if (letterSpacingHundredths == 0) {
            return tenths;
        }
        long spacing = (long) shown.codePointCount(0, shown.length()) * letterSpacingHundredths;
        return tenths + (int) ((spacing + 9) / 10);
    }
}
