package dev.hitcounter.pages;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.LocalDate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key of each UTC day's unique-visitor values, HMAC-SHA256(secret, "YYYY-MM-DD"), derived in the app from a
 * secret that never reaches Redis (issue 21): replicas given the same secret agree on every day's key without asking
 * Redis, and nobody without the secret can test a guessed visitor against what Redis holds.
 *
 * <p>Safe for any thread; the key of the latest day asked for is kept, and any other day's is derived anew.
 */
final class DayKeys {

    static final String HMAC = "HmacSHA256";

    private final SecretKeySpec secret;
    private volatile Derived latest;

    private record Derived(LocalDate day, SecretKeySpec key) {
    }

    DayKeys(byte[] secret) {
        this.secret = new SecretKeySpec(secret, HMAC);
    }

    /** Keys from a secret of this process only: replicas that do not share it count a visitor once each. */
    static DayKeys random(SecureRandom random) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return new DayKeys(secret);
    }

    /** The key of {@code day}'s values. */
    SecretKeySpec of(LocalDate day) {
        Derived known = latest;
        // The day is compared, not only the presence: past midnight UTC the previous day's key must not be used.
        if (known != null && known.day().equals(day)) {
            return known.key();
        }
        Derived derived = new Derived(day, new SecretKeySpec(mac(secret).doFinal(
                day.toString().getBytes(StandardCharsets.UTF_8)), HMAC));
        latest = derived;
        return derived.key();
    }

    /** A new HMAC-SHA256 under {@code key}: a Mac serves one thread, so each batch takes its own. */
    static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Never the secret. */
    @Override
    public String toString() {
        return "DayKeys[secret kept in the app]";
    }
}
