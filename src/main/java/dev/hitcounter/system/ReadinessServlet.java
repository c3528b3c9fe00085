package dev.hitcounter.system;

import java.io.IOException;

import dev.hitcounter.counter.Counter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** {@code GET /readyz}: 200 when the counter store answers a ping within its timeout, else 503. */
public final class ReadinessServlet extends GetOnlyServlet {

    private final transient Counter counter;

    public ReadinessServlet(Counter counter) {
        this.counter = counter;
    }

    @Override
    protected void get(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (counter.isReady()) {
            PlainText.send(response, HttpServletResponse.SC_OK, "ready");
        } else {
            response.setHeader("Retry-After", "1");
            PlainText.send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "not ready: the counter store does not answer");
        }
    }
}
