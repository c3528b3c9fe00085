package dev.hitcounter.pages;

/**
 * The text of one side of a badge (the label from the query, or the count): 1 to 64 visible characters, not spaces
 * alone (a blank label would show as an empty grey half). Control,
 * invisible formatting (such as bidi overrides), private-use, unassigned and unpaired surrogate code points are
 * refused, so what is shown is what was asked for and the SVG stays well-formed XML once escaped.
 *
 * @param value the text, already checked, not yet escaped
 */
record BadgeText(String value) {

    static final int MAX_LENGTH = 64;

    static final String RULE = "A badge label is 1 to 64 letters, digits, punctuation marks, symbols or spaces,"
            + " not spaces alone; control and invisible formatting characters are not allowed.";

    /** Checks {@code value}; throws {@link BadRequestException} with {@link #RULE} when a badge cannot show it. */
    BadgeText {
        if (value == null || value.isEmpty() || value.codePointCount(0, value.length()) > MAX_LENGTH
                || !value.codePoints().allMatch(BadgeText::isVisible)
                || value.codePoints().allMatch(Character::isSpaceChar)) {
            throw new BadRequestException(RULE);
        }
    }

    /** A count with a comma between thousands, e.g. {@code 1,234}, whatever the JVM's default locale. */
    static BadgeText count(long count) {
        return new BadgeText(grouped(count));
    }

    /** What {@link #count} shows, without checking it again: digits, commas and a minus sign are always visible. */
    static String grouped(long count) {
        // By hand rather than String.format("%,d"): every counted badge is rendered on the one page-coalescer
        // thread, and Formatter's locale lookups were a quarter of its CPU in the badge benchmark (issue 12).
        String digits = Long.toString(count);
        int sign = count < 0 ? 1 : 0;
        StringBuilder grouped = new StringBuilder(digits.length() + digits.length() / 3).append(digits, 0, sign);
        for (int i = sign; i < digits.length(); i++) {
            if (i > sign && (digits.length() - i) % 3 == 0) {
                grouped.append(',');
            }
            grouped.append(digits.charAt(i));
        }
        return grouped.toString();
    }

    private static boolean isVisible(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    @Override
    public String toString() {
        return value;
    }
}
