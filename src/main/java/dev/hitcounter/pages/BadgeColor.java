package dev.hitcounter.pages;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The fill of a badge's value side, from the {@code color} query parameter: a name from shields.io's palette, a CSS
 * colour name (as shields.io accepts them; its own names win where both have one, {@code green} for one), or a hex
 * colour ({@code #abc}, {@code abc}, {@code #aabbcc} or {@code aabbcc}); never anything else, so the value can be
 * written into the SVG as it is.
 *
 * @param css the colour as CSS, always {@code #} and three or six lowercase hex digits
 */
record BadgeColor(String css) {

    /** The value side's colour when the request names none. */
    static final BadgeColor DEFAULT = new BadgeColor("#007ec6");

    /** The label side's colour, which the request does not choose. */
    static final BadgeColor LABEL = new BadgeColor("#555");

    static final String RULE = "A badge color is one of brightgreen, green, yellowgreen, yellow, orange, red, blue,"
            + " grey, lightgrey (also gray, lightgray, success, important, critical, informational, inactive),"
            + " a CSS color name such as purple or hotpink, or a hex color of 3 or 6 digits such as 4c1 or ff69b4"
            + " (a leading # is sent as %23).";

    // The named colours of shields.io's badges, so a badge here looks like its neighbours in a README.
    private static final Map<String, String> PALETTE = Map.ofEntries(
            Map.entry("brightgreen", "#4c1"),
            Map.entry("green", "#97ca00"),
            Map.entry("yellowgreen", "#a4a61d"),
            Map.entry("yellow", "#dfb317"),
            Map.entry("orange", "#fe7d37"),
            Map.entry("red", "#e05d44"),
            Map.entry("blue", "#007ec6"),
            Map.entry("grey", "#555"),
            Map.entry("gray", "#555"),
            Map.entry("lightgrey", "#9f9f9f"),
            Map.entry("lightgray", "#9f9f9f"),
            Map.entry("success", "#4c1"),
            Map.entry("important", "#fe7d37"),
            Map.entry("critical", "#e05d44"),
            Map.entry("informational", "#007ec6"),
            Map.entry("inactive", "#9f9f9f"));

    BadgeColor {
        if (!isHex(css, 1) || css.charAt(0) != '#') {
            throw new IllegalArgumentException("not a #rgb or #rrggbb colour");
        }
    }

    /**
     * The colour that the {@code color} query parameter names, {@link #DEFAULT} when it is absent ({@code null});
     * throws {@link BadRequestException} with {@link #RULE} for anything else, the empty string included.
     * Names and hex digits are case-insensitive.
     */
    static BadgeColor fromQuery(String parameter) {
        if (parameter == null) {
            return DEFAULT;
        }
        String lower = parameter.toLowerCase(Locale.ROOT);
        String named = PALETTE.get(lower);
        if (named != null) {
            return new BadgeColor(named);
        }
        Optional<String> css = CssColorNames.hex(lower);
        if (css.isPresent()) {
            return new BadgeColor(css.get());
        }
        int digits = lower.startsWith("#") ? 1 : 0;
        if (isHex(lower, digits)) {
            return new BadgeColor("#" + lower.substring(digits));
        }
        throw new BadRequestException(RULE);
    }

    /**
     * Whether white text would be hard to read on this colour: its perceived brightness (the YIQ weighting of red,
     * green and blue) is above 0.69, where shields.io's badges switch to dark text too. No name of shields.io's own
     * palette is light; CSS names such as white or pink are.
     */
    boolean isLight() {
        String hex = css.length() == 4
                ? "" + css.charAt(1) + css.charAt(1) + css.charAt(2) + css.charAt(2) + css.charAt(3) + css.charAt(3)
                : css.substring(1);
        int red = Integer.parseInt(hex.substring(0, 2), 16);
        int green = Integer.parseInt(hex.substring(2, 4), 16);
        int blue = Integer.parseInt(hex.substring(4, 6), 16);
        return (299 * red + 587 * green + 114 * blue) / 1000.0 / 255 > 0.69;
    }

    private static boolean isHex(String text, int from) {
        int length = text.length() - from;
        if (length != 3 && length != 6) {
            return false;
        }
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}
