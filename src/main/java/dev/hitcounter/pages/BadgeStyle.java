package dev.hitcounter.pages;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The shape of a badge, from the {@code style} query parameter: shields.io's {@code flat} and {@code flat-square}. */
enum BadgeStyle {

    /** Rounded corners and a light top-to-bottom gradient. */
    FLAT("flat"),

    /** Square corners, plain fills. */
    FLAT_SQUARE("flat-square");

    static final String RULE = "A badge style is one of "
            + Arrays.stream(values()).map(style -> style.parameter).collect(Collectors.joining(", ")) + ".";

    private final String parameter;

    BadgeStyle(String parameter) {
        this.parameter = parameter;
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

    /** The name of this style in a query string. */
    String parameter() {
        return parameter;
    }
}
