package dev.hitcounter.tomcat;

import java.io.CharArrayWriter;
import java.util.Map;

import org.apache.catalina.valves.JsonAccessLogValve;

/**
 * Tomcat's own JSON access log, one line per request on the process's standard output, as a container's log wants
 * it; on when {@code ACCESS_LOG=true}. The embedded launcher adds it then, and the image's {@code server.xml} always
 * has it, enabled by {@link RequestThreadsPropertySource}'s answer for {@code ${ACCESS_LOG}}.
 */
public final class JsonAccessLog extends JsonAccessLogValve {

    /** The environment variable that turns it on. */
    public static final String VARIABLE = "ACCESS_LOG";

    /**
     * Client (as {@code TRUSTED_PROXIES}' {@code RemoteIpFilter} names it, through the request attributes it sets),
     * time, request line, status, bytes, microseconds taken, referer and user agent.
     */
    public JsonAccessLog() {
        setPattern("%a %t %r %s %b %D %{Referer}i %{User-Agent}i");
        setRequestAttributesEnabled(true);
        setRotatable(false);
    }

    /** Writes the line to standard output instead of a file: opening /dev/stdout again would lose lines to a log file. */
    @Override
    public void log(CharArrayWriter message) {
        System.out.println(message);
    }

    @Override
    protected synchronized void open() {
        // No file: see log().
    }

    /** {@code true} when the environment asks for the log; the app's settings check the text and stop on a bad one. */
    static String fromEnvironment(Map<String, String> env) {
        return String.valueOf("true".equals(String.valueOf(env.get(VARIABLE)).strip()));
    }
}
