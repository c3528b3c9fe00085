package dev.hitcounter.system;

/** A setting from the environment that the app cannot start with; the message names the variable and the expected form. */
public final class SettingsException extends RuntimeException {

    SettingsException(String variable, String shownValue, String expected) {
        super(variable + "=" + shownValue + " is invalid: expected " + expected);
    }

    SettingsException(String message) {
        super(message);
    }
}
