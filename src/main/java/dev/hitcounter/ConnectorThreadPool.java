package dev.hitcounter;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.function.Supplier;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;

/**
 * The embedded connector's {@code ThreadPool} MBean, under the name and attributes Tomcat's own JMX registry gives it,
 * for the launcher, which turns that registry off: the app's connector metrics read the same MBean either way.
 */
final class ConnectorThreadPool implements DynamicMBean {

    private final MBeanServer server;
    private final ObjectName name;
    private final Map<String, Supplier<Number>> attributes;

    private ConnectorThreadPool(MBeanServer server, ObjectName name, Map<String, Supplier<Number>> attributes) {
        this.server = server;
        this.name = name;
        this.attributes = attributes;
    }

    /** Registers the connector's pool once it has started, unless Tomcat's registry has; unregisters it on stop. */
    static void watch(Tomcat tomcat) {
        Connector connector = tomcat.getConnector();
        String domain = tomcat.getEngine().getName();
        connector.addLifecycleListener(new LifecycleListener() {
            private ConnectorThreadPool registered;

            @Override
            public void lifecycleEvent(LifecycleEvent event) {
                try {
                    if (Lifecycle.AFTER_START_EVENT.equals(event.getType())) {
                        registered = register(domain, connector);
                    } else if (Lifecycle.AFTER_STOP_EVENT.equals(event.getType()) && registered != null) {
                        registered.server.unregisterMBean(registered.name);
                        registered = null;
                    }
                } catch (JMException e) {
                    throw new IllegalStateException("cannot register the connector's ThreadPool MBean", e);
                }
            }
        });
    }

    private static ConnectorThreadPool register(String domain, Connector connector) throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) connector.getProtocolHandler();
        ObjectName name = new ObjectName(domain + ":type=ThreadPool,name=" + protocol.getName());
        if (server.isRegistered(name)) {
            return null;
        }
        ConnectorThreadPool pool = new ConnectorThreadPool(server, name, Map.of(
                "currentThreadsBusy", () -> executor(protocol) == null ? 0 : executor(protocol).getActiveCount(),
                "currentThreadCount", () -> executor(protocol) == null ? 0 : executor(protocol).getPoolSize(),
                "maxThreads", protocol::getMaxThreads,
                "connectionCount", protocol::getConnectionCount,
                "maxConnections", protocol::getMaxConnections));
        server.registerMBean(pool, name);
        return pool;
    }

    private static ThreadPoolExecutor executor(AbstractProtocol<?> protocol) {
        return protocol.getExecutor() instanceof ThreadPoolExecutor executor ? executor : null;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Supplier<Number> value = attributes.get(attribute);
        if (value == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return value.get();
    }

    @Override
    public AttributeList getAttributes(String[] names) {
        AttributeList list = new AttributeList();
        for (String attribute : names) {
            if (attributes.containsKey(attribute)) {
                list.add(new Attribute(attribute, attributes.get(attribute).get()));
            }
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("read-only: " + attribute.getName());
    }

    @Override
    public AttributeList setAttributes(AttributeList list) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String action, Object[] params, String[] signature) {
        throw new UnsupportedOperationException(action);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        MBeanAttributeInfo[] infos = attributes.keySet().stream()
                .map(attribute -> new MBeanAttributeInfo(attribute, Number.class.getName(), attribute,
                        true, false, false))
                .toArray(MBeanAttributeInfo[]::new);
        return new MBeanInfo(getClass().getName(), "The connector's request threads and connections", infos,
                null, null, null);
    }
}
