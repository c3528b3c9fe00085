package dev.hitcounter.system;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;

/** Writes the app's small HTML pages: one sentence in a valid HTML5 document, never cached. */
public final class HtmlPage {

    private HtmlPage() {
    }

    /** Sends {@code status} with a page titled {@code title} whose text is {@code sentence}, both escaped. */
    public static void send(HttpServletResponse response, int status, String title, String sentence)
            throws IOException {
        UncachedBody.send(response, status, "text/html", render(title, sentence));
    }

    static String render(String title, String sentence) {
        return "<!DOCTYPE html>\n"
                + "<html lang=\"en\">\n"
                + "<head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head>\n"
                + "<body><p>" + escape(sentence) + "</p></body>\n"
                + "</html>\n";
    }

    /**
     * Escapes {@code text} for HTML or XML text and quoted attribute values: {@code & < > " '} become references.
     * Characters that XML forbids (most C0 controls) pass through unchanged, so callers that write XML refuse them first.
     */
    public static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
