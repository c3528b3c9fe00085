package dev.hitcounter.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The secret that keys every unique-visitor value ({@code UNIQUE_VISITORS_SECRET_FILE}): it stays in the app, is never
 * sent to Redis and never shown; {@link #toString} names only its file.
 */
public final class UniqueVisitorsSecret {

    /** The shortest secret taken: as many bytes as the HMAC-SHA256 key it becomes. */
    public static final int MIN_BYTES = 32;

    private final String file;
    private final byte[] bytes;

    private UniqueVisitorsSecret(String file, byte[] bytes) {
        this.file = file;
        this.bytes = bytes;
    }

    /** Reads the file; the spaces and line ends around its content are not part of the secret. */
    static UniqueVisitorsSecret read(String variable, String file) {
        String expected = "a readable file holding at least " + MIN_BYTES + " bytes of secret, e.g. made with "
                + "`openssl rand -base64 48` (a Docker or Kubernetes Secret, e.g. /run/secrets/unique-visitors-secret)";
        byte[] content;
        try {
            content = Files.readAllBytes(Path.of(file));
        } catch (IOException | InvalidPathException e) {
            throw new SettingsException(variable, file, expected);
        }
        int from = 0;
        int to = content.length;
        while (from < to && isSpace(content[from])) {
            from++;
        }
        while (to > from && isSpace(content[to - 1])) {
            to--;
        }
        if (to - from < MIN_BYTES) {
            throw new SettingsException(variable, file, expected + ", not one of " + (to - from) + " bytes");
        }
        return new UniqueVisitorsSecret(file, Arrays.copyOfRange(content, from, to));
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /** A copy of the secret's bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The file it came from, never the secret. */
    @Override
    public String toString() {
        return file;
    }
}
