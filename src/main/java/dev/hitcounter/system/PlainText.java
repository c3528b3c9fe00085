package dev.hitcounter.system;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

/** Writes the one-line, never-cached plain-text answers of the health endpoints. */
final class PlainText {

    private PlainText() {
    }

    static void send(HttpServletResponse response, int status, String line) throws IOException {
        UncachedBody.send(response, status, "text/plain", line + "\n");
    }
}
