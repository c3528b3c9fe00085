package dev.hitcounter.system;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /healthz}: 200 while the process serves requests; it does not look at the counter store. */
public final class HealthServlet extends GetOnlyServlet {

    @Override
    protected void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
        PlainText.send(response, HttpServletResponse.SC_OK, "ok");
    }
}
