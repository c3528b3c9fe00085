package dev.hitcounter.tomcat;

import org.apache.tomcat.util.IntrospectionUtils;

/**
 * Lets the image's {@code server.xml} say {@code maxThreads="${REQUEST_THREADS}"}: Tomcat asks this source for
 * {@code ${…}} values while it reads its configuration, and it answers {@code REQUEST_THREADS} by
 * {@link RequestThreads}, and {@code ACCESS_LOG} (the access log valve's {@code enabled}) by {@link JsonAccessLog}. It lives in a jar in Tomcat's {@code lib/}, named in {@code conf/catalina.properties}.
 */
public final class RequestThreadsPropertySource implements IntrospectionUtils.PropertySource {

    @Override
    public String getProperty(String key) {
        if (RequestThreads.VARIABLE.equals(key)) {
            return RequestThreads.fromEnvironment(System.getenv());
        }
        return JsonAccessLog.VARIABLE.equals(key) ? JsonAccessLog.fromEnvironment(System.getenv()) : null;
    }
}
