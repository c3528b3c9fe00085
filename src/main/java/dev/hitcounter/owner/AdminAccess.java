package dev.hitcounter.owner;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.logging.Logger;

import dev.hitcounter.system.OwnerSettings;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Whether a request carries the admin token of {@code ADMIN_TOKEN_FILE}: as {@code Authorization: Bearer <token>}, or
 * for {@code /stats} in a browser as the password of Basic authentication. Compared in constant time (both sides
 * hashed first, so not even the length shows); a refused attempt is logged without what it sent.
 */
final class AdminAccess {

    private static final Logger LOG = Logger.getLogger(AdminAccess.class.getName());

    private final Optional<byte[]> tokenHash;

    AdminAccess(Optional<OwnerSettings.AdminToken> token) {
        this.tokenHash = token.map(given -> sha256(given.bytes()));
    }

    /** Whether admin endpoints exist at all: {@code ADMIN_TOKEN_FILE} is set. */
    boolean enabled() {
        return tokenHash.isPresent();
    }

    /** Whether the request carries the token; when not, the attempt is logged. */
    boolean allows(HttpServletRequest request, boolean basicToo) {
        if (tokenHash.isEmpty()) {
            return false;
        }
        String header = request.getHeader("Authorization");
        Optional<byte[]> given = Optional.empty();
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = Optional.of(header.substring(7).strip().getBytes(StandardCharsets.UTF_8));
        } else if (basicToo && header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            given = basicPassword(header.substring(6).strip());
        }
        if (given.isPresent() && MessageDigest.isEqual(sha256(given.get()), tokenHash.get())) {
            return true;
        }
        String why = header == null ? "no Authorization header" : given.isEmpty()
                ? "an Authorization header of another scheme" : "a wrong token";
        LOG.warning(() -> "Refused " + request.getMethod() + " " + request.getRequestURI() + " from "
                + request.getRemoteAddr() + ": " + why + " (ADMIN_TOKEN_FILE)");
        return false;
    }

    /** The password of Basic credentials, whatever the user name. */
    private static Optional<byte[]> basicPassword(String credentials) {
        try {
            String decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty()
                    : Optional.of(decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
