package dev.hitcounter.pages;

/**
 * A value from the request (a page name, a badge label, colour or style) that cannot be used; the message is the
 * sentence of the 400 answer and never repeats the refused value, so nothing from the request is echoed back.
 */
final class BadRequestException extends RuntimeException {

    BadRequestException(String sentence) {
        super(sentence);
    }
}
