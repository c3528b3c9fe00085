package dev.hitcounter.system;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;

/**
 * An asynchronous request's listener that gives the request up ({@link #abandon()}: 503, nothing counted or read)
 * when Tomcat times it out or the connection fails before it was answered.
 */
public interface AbandonedOnTimeout extends AsyncListener {

    /** Answers the request as not served, unless it was answered already. */
    void abandon();

    @Override
    default void onTimeout(AsyncEvent event) {
        abandon();
    }

    @Override
    default void onError(AsyncEvent event) {
        abandon();
    }

    @Override
    default void onComplete(AsyncEvent event) {
    }

    @Override
    default void onStartAsync(AsyncEvent event) {
    }
}
