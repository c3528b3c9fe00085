package dev.hitcounter.system;

import java.util.Map;

/** Reads one environment variable as a typed setting, naming the variable and the expected form when it is bad. */
final class Variables {

    private Variables() {
    }

    /** An unset and an empty variable mean the same: Compose writes {@code VAR=} for "not set". */
    static String value(Map<String, String> env, String name) {
        String text = env.get(name);
        return text == null || text.isBlank() ? null : text.strip();
    }

    static int number(Map<String, String> env, String name, int fallback, int min, int max) {
        String text = value(env, name);
        if (text == null) {
            return fallback;
        }
        String expected = "a whole number from " + min + " to " + max + " (default " + fallback + ")";
        if (!text.matches("[0-9]{1,9}")) {
            throw new SettingsException(name, text, expected);
        }
        int number = Integer.parseInt(text);
        if (number < min || number > max) {
            throw new SettingsException(name, text, expected);
        }
        return number;
    }

    static boolean flag(Map<String, String> env, String name, boolean fallback) {
        String text = value(env, name);
        if (text == null) {
            return fallback;
        }
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new SettingsException(name, text, "true or false (default " + fallback + ")");
        };
    }
}
