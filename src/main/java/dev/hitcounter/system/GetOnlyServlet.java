package dev.hitcounter.system;

import java.io.IOException;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** An endpoint that answers GET and HEAD and gives every other method a 405 with {@code Allow}. */
public abstract class GetOnlyServlet extends HttpServlet {

    @Override
    protected final void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (request.getMethod()) {
            case "GET" -> get(request, response);
            case "HEAD" -> head(request, response);
            default -> {
                response.setHeader("Allow", "GET, HEAD");
                ErrorPages.send(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            }
        }
    }

    protected abstract void get(HttpServletRequest request, HttpServletResponse response) throws IOException;

    /** Answers HEAD like GET (Tomcat drops the body); override where GET has a side effect. */
    protected void head(HttpServletRequest request, HttpServletResponse response) throws IOException {
        get(request, response);
    }
}
