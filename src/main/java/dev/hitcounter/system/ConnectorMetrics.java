package dev.hitcounter.system;

import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Set;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Tomcat's request connectors' threads and connections, read from its {@code ThreadPool} MBeans at scrape time,
 * so the same code serves the embedded launcher and a standalone Tomcat and starts no thread of its own.
 */
final class ConnectorMetrics {

    // The domain is the engine's name: "Catalina" in a standalone Tomcat, "Tomcat" in the embedded one.
    private static final ObjectName THREAD_POOLS = objectName("*:type=ThreadPool,name=*");

    private final MBeanServer server;

    ConnectorMetrics(MBeanServer server) {
        this.server = server;
    }

    static void register(PrometheusRegistry registry) {
        new ConnectorMetrics(ManagementFactory.getPlatformMBeanServer()).registerIn(registry);
    }

    void registerIn(PrometheusRegistry registry) {
        gauge(registry, "tomcat_connector_threads_busy", "Request threads of the connector serving a request now",
                "currentThreadsBusy");
        gauge(registry, "tomcat_connector_threads_current", "Request threads the connector has started",
                "currentThreadCount");
        gauge(registry, "tomcat_connector_threads_max", "Most request threads the connector may start (maxThreads)",
                "maxThreads");
        gauge(registry, "tomcat_connector_connections", "Connections the connector holds open now",
                "connectionCount");
        gauge(registry, "tomcat_connector_connections_max",
                "Most connections the connector accepts (maxConnections); beyond it they wait in the accept queue",
                "maxConnections");
    }

    private void gauge(PrometheusRegistry registry, String name, String help, String attribute) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("connector")
                .callback(callback -> {
                    // Two Tomcats in one JVM (tests) could name a connector alike: the first one wins.
                    Set<String> seen = new HashSet<>();
                    for (ObjectName pool : server.queryNames(THREAD_POOLS, null)) {
                        String connector = unquoted(pool.getKeyProperty("name"));
                        if (read(pool, attribute) instanceof Number value && seen.add(connector)) {
                            callback.call(value.doubleValue(), connector);
                        }
                    }
                })
                .register(registry);
    }

    private Object read(ObjectName pool, String attribute) {
        try {
            return server.getAttribute(pool, attribute);
        } catch (JMException e) {
            // A connector stopping between the query and the read: nothing to report for it.
            return null;
        }
    }

    private static String unquoted(String name) {
        return name.startsWith("\"") ? ObjectName.unquote(name) : name;
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
