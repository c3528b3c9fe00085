package dev.hitcounter.system;

import java.io.IOException;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Writes and completes the answer of an asynchronous request from any thread, where the client may
 * have gone away meanwhile: nothing here throws, so one lost client cannot hurt the thread answering.
 */
public final class AsyncAnswer {

    /** Writes an answer into a response. */
    @FunctionalInterface
    public interface Body {
        void writeTo(HttpServletResponse response) throws IOException;
    }

    private AsyncAnswer() {
    }

    /** Writes {@code body}; false if the client could not be given it. */
    public static boolean write(AsyncContext async, Body body) {
        try {
            body.writeTo((HttpServletResponse) async.getResponse());
            return true;
        } catch (IOException | RuntimeException e) {
            // The client went away: Tomcat may already have recycled the request, and then every
            // call on the context throws IllegalStateException.
            return false;
        }
    }

    /** Completes the request, unless Tomcat already did after a client error. */
    public static void complete(AsyncContext async) {
        try {
            async.complete();
        } catch (RuntimeException e) {
            // Already completed by Tomcat: nothing left to finish.
        }
    }
}
