package dev.hitcounter.pages;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The values a test expects in Redis for a visitor, computed here from the design in docs/badges.md and not with the
 * app's code: the day's key is HMAC-SHA256(secret, "YYYY-MM-DD"), a visitor's value the first 16 bytes of
 * HMAC-SHA256(day key, each of IP, User-Agent and page preceded by its length in 4 bytes); and the unkeyed hashes
 * that anyone could compute from a guessed visitor, which must never be what Redis gets.
 */
final class ExpectedVisitorValues {

    private ExpectedVisitorValues() {
    }

    static byte[] dayKey(byte[] secret, String day) {
        return hmac(secret, day.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] value(byte[] dayKey, String ip, String userAgent, String page) {
        return Arrays.copyOf(hmac(dayKey, framed(ip, userAgent, page)), 16);
    }

    /** Hashes of the visitor that need no secret: what a brute force over addresses and User-Agents can test. */
    static byte[][] unkeyed(String ip, String userAgent, String page) {
        byte[] framed = sha256(framed(ip, userAgent, page));
        byte[] plain = sha256((ip + userAgent + page).getBytes(StandardCharsets.UTF_8));
        byte[] ipAndAgent = sha256((ip + userAgent).getBytes(StandardCharsets.UTF_8));
        return new byte[][] {framed, Arrays.copyOf(framed, 16), plain, Arrays.copyOf(plain, 16), ipAndAgent,
                Arrays.copyOf(ipAndAgent, 16)};
    }

    private static byte[] framed(String... parts) {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        for (String part : parts) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            buffer.putInt(bytes.length).put(bytes);
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
