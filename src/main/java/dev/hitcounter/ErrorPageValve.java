package dev.hitcounter;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.hitcounter.system.ErrorPages;
import dev.hitcounter.system.SecurityHeaders;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Renders the errors that embedded Tomcat raises before the app sees a request (a malformed
 * URI, say) as the app's own pages with its security headers, instead of Tomcat's report page.
 */
final class ErrorPageValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get() || !response.setErrorReported()) {
            return;
        }
        try {
            SecurityHeaders.apply(response::setHeader);
            response.setHeader("Cache-Control", "no-store");
            response.setContentType("text/html");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(ErrorPages.render(status));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response is committed: nothing left to tell it.
        }
    }
}
