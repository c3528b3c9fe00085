package dev.hitcounter.pages;

import java.security.SecureRandom;
import java.time.LocalDate;
import java.util.Base64;

/**
 * The secret salt of one UTC day as Redis stores it (32 random bytes in Base64), with the SHA-1 by which
 * count-pages.lua checks that visitor hashes were made with the salt it holds, without the salt being sent again.
 *
 * @param day         the day it salts
 * @param stored      the Base64 text under the day's salt key
 * @param bytes       the salt itself
 * @param fingerprint SHA-1 of {@code stored} in hex, as Lua's {@code redis.sha1hex} gives it
 */
record DaySalt(LocalDate day, String stored, byte[] bytes, String fingerprint) {

    static final int BYTES = 32;

    /** A new random salt, to be stored if the day has none yet. */
    static DaySalt random(LocalDate day, SecureRandom random) {
        byte[] bytes = new byte[BYTES];
        random.nextBytes(bytes);
        return fromStored(day, Base64.getEncoder().encodeToString(bytes));
    }

    /** The salt as Redis holds it; throws IllegalArgumentException when that is not Base64. */
    static DaySalt fromStored(LocalDate day, String stored) {
        return new DaySalt(day, stored, Base64.getDecoder().decode(stored),
                PageBatchScript.sha1Hex(stored));
    }

    /** Never the salt itself: it must not reach a log. */
    @Override
    public String toString() {
        return "DaySalt[day=" + day + "]";
    }
}
