package dev.hitcounter.system;

import java.io.IOException;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** The default servlet: every path the app does not serve gets a short 404 page, whatever the method. */
public final class NotFoundServlet extends HttpServlet {

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HtmlPage.send(response, HttpServletResponse.SC_NOT_FOUND, "Not found", "There is no page here.");
    }
}
