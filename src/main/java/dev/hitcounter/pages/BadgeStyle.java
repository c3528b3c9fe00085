package dev.hitcounter.pages;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The shape of a badge, from the {@code style} query parameter: shields.io's {@code flat}, {@code flat-square} and
 * {@code for-the-badge}.
 */
enum BadgeStyle {

    /** Rounded corners and a light top-to-bottom gradient. */
    FLAT("flat", 20),

    /** Square corners, plain fills. */
    FLAT_SQUARE("flat-square", 20),

    /** Square corners, plain fills, taller, spaced capitals at 10 px, the value in bold. */
    FOR_THE_BADGE("for-the-badge", 28);

    static final String RULE = "A badge style is one of "
            + Arrays.stream(values()).map(style -> style.parameter).collect(Collectors.joining(", ")) + ".";

    private final String parameter;
    private final int height;

    BadgeStyle(String parameter, int height) {
        this.parameter = parameter;
        this.height = height;
    }

    /**
     * The style that the {@code style} query parameter names, {@link #FLAT} when it is absent ({@code null});
     * throws {@link BadRequestException} with {@link #RULE} for anything else, the empty string included.
     * Case-insensitive, as colour names are.
     */
    static BadgeStyle fromQuery(String parameter) {
        if (parameter == null) {
            return FLAT;
        }
        for (BadgeStyle style : values()) {
            if (style.parameter.equalsIgnoreCase(parameter)) {
                return style;
            }
        }
        throw new BadRequestException(RULE);
    }

    /** The badge's height in px. */
    int height() {
        return height;
    }

    /** The name of this style in a query string. */
    String parameter() {
        return parameter;
    }
}
