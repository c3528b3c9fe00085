package dev.hitcounter.system;

import java.io.IOException;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The app's own short error pages, with no stack trace or server detail. As the default servlet it
 * answers 404 for every path the app does not serve, and as the container's error page (at any
 * unmapped path such as {@code /error}) it renders the status Tomcat is reporting.
 */
public final class ErrorPages extends HttpServlet {

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        send(response, status instanceof Integer code && code >= 400 ? code : HttpServletResponse.SC_NOT_FOUND);
    }

    /** Sends the page for {@code status}, keeping headers already set (such as {@code Allow} or {@code Retry-After}). */
    public static void send(HttpServletResponse response, int status) throws IOException {
        HtmlPage.send(response, status, title(status), sentence(status));
    }

    /** The statuses that a standalone Tomcat renders from static copies (WEB-INF/errors/), 0 for any other. */
    public static final int[] STATIC_COPIES = {0, 400, 404, 405, 408, 413, 414, 431, 500, 501, 503};

    /** The page for {@code status} as HTML text, for renderers outside the servlet API. */
    public static String render(int status) {
        return HtmlPage.render(title(status), sentence(status));
    }

    static String title(int status) {
        return switch (status) {
            case 0 -> "Error";
            case 400 -> "Bad request";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 408 -> "Request timeout";
            case 413, 414, 431 -> "Request too large";
            case 500 -> "Internal error";
            case 501 -> "Not implemented";
            case 503 -> "Service unavailable";
            default -> "Error " + status;
        };
    }

    static String sentence(int status) {
        return switch (status) {
            case 0 -> "The request failed.";
            case 400 -> "The request could not be understood.";
            case 404 -> "There is no page here.";
            case 405 -> "This address answers GET and HEAD only.";
            case 408 -> "The request took too long to arrive.";
            case 413, 414, 431 -> "The request is larger than this server accepts.";
            case 500 -> "Something went wrong on our side. Please try again.";
            case 501 -> "This server does not support that method.";
            case 503 -> "The view counter is unavailable right now. Please try again in a moment.";
            default -> "The request failed with status " + status + ".";
        };
    }
}
