package dev.hitcounter.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The settings of the owner's side (issue 24): the admin token and who may see {@code /stats}.
 *
 * @param adminToken  the token of the admin endpoints ({@code ADMIN_TOKEN_FILE}); empty: they answer 404
 * @param statsPublic whether {@code /stats} is for anyone ({@code STATS_VISIBILITY=public}) or only with the token
 */
public record OwnerSettings(Optional<AdminToken> adminToken, boolean statsPublic) {

    private static final String TOKEN_FILE = "ADMIN_TOKEN_FILE";

    static OwnerSettings from(Map<String, String> env) {
        String visibility = Variables.value(env, "STATS_VISIBILITY");
        if (visibility != null && !visibility.equals("private") && !visibility.equals("public")) {
            throw new SettingsException("STATS_VISIBILITY", visibility, "private (only with the admin token of "
                    + "ADMIN_TOKEN_FILE, the default) or public (anyone may see /stats)");
        }
        return new OwnerSettings(Optional.ofNullable(Variables.value(env, TOKEN_FILE)).map(OwnerSettings::token),
                "public".equals(visibility));
    }

    /** The admin token: never shown; {@link #toString} names only its file. */
    public static final class AdminToken {

        /** The shortest token taken: a guessable one would open PUT and DELETE to anyone. */
        public static final int MIN_CHARACTERS = 16;

        private final String file;
        private final byte[] bytes;

        AdminToken(String file, byte[] bytes) {
            this.file = file;
            this.bytes = bytes;
        }

        /** A copy of the token's bytes (UTF-8). */
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public String toString() {
            return file;
        }
    }

    private static AdminToken token(String file) {
        String expected = "a readable file holding the admin token, at least " + AdminToken.MIN_CHARACTERS
                + " visible ASCII characters, e.g. made with `openssl rand -hex 32` (a Docker or Kubernetes Secret)";
        String token;
        try {
            token = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException | InvalidPathException e) {
            throw new SettingsException(TOKEN_FILE, file, expected);
        }
        if (token.length() < AdminToken.MIN_CHARACTERS || !token.matches("\\p{Graph}+")) {
            throw new SettingsException(TOKEN_FILE, file, expected + ", not what it holds");
        }
        return new AdminToken(file, token.getBytes(StandardCharsets.UTF_8));
    }

    String describe() {
        return TOKEN_FILE + "=" + adminToken.map(Object::toString).orElse("unset (admin endpoints off)")
                + ", STATS_VISIBILITY=" + (statsPublic ? "public" : "private");
    }
}
