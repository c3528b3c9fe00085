package dev.hitcounter.system;

import java.util.Optional;

/**
 * What {@code /readyz} asks the app: why it cannot serve views now, or nothing when it can. It runs
 * on the readiness probe's thread, one call at a time, and may block up to the store's timeouts.
 */
@FunctionalInterface
public interface Readiness {

    /** Empty when ready; else a few words on what is wrong, for the 503's body. */
    Optional<String> problem();
}
