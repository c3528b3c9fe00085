package dev.hitcounter.system;

import java.util.function.BiConsumer;

/** The security headers that every response carries, whoever renders it. */
public final class SecurityHeaders {

    static final String CONTENT_SECURITY_POLICY =
            "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private SecurityHeaders() {
    }

    /** Sets each header through {@code setHeader} (a servlet or a Tomcat response). */
    public static void apply(BiConsumer<String, String> setHeader) {
        setHeader.accept("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        setHeader.accept("X-Content-Type-Options", "nosniff");
        setHeader.accept("Referrer-Policy", "no-referrer");
        setHeader.accept("X-Frame-Options", "DENY");
    }
}
