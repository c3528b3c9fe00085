package dev.hitcounter.tomcat;

import org.apache.tomcat.util.IntrospectionUtils;

/**
 * Lets the image's {@code server.xml} say {@code maxThreads="${REQUEST_THREADS}"}: Tomcat asks this source for
 * {@code ${…}} values while it reads its configuration, and it answers {@code REQUEST_THREADS} by
 * {@link RequestThreads}. It lives in a jar in Tomcat's {@code lib/}, named in {@code conf/catalina.properties}.
 */
public final class RequestThreadsPropertySource implements IntrospectionUtils.PropertySource {

    @Override
    public String getProperty(String key) {
        return RequestThreads.VARIABLE.equals(key) ? RequestThreads.fromEnvironment(System.getenv()) : null;
    }
}
