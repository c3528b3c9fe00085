package dev.hitcounter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import dev.hitcounter.system.Settings;
import dev.hitcounter.tomcat.JsonAccessLog;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.core.StandardHost;
import org.apache.tomcat.util.descriptor.web.ErrorPage;

/** The app on an embedded Tomcat: what the run command starts and what the integration tests drive. */
public final class EmbeddedServer implements AutoCloseable {

    /** How long a stop waits for requests in flight, as META-INF/context.xml says for a standalone Tomcat. */
    static final int SHUTDOWN_GRACE_MILLIS = 10_000;

    private final Tomcat tomcat;
    private final Path baseDir;

    private EmbeddedServer(Tomcat tomcat, Path baseDir) {
        this.tomcat = tomcat;
        this.baseDir = baseDir;
    }

    /** Starts Tomcat on {@code settings.port()} (0 picks a free port) with the app at {@code /}. */
    public static EmbeddedServer start(Settings settings) throws IOException, LifecycleException {
        Path baseDir = Files.createTempDirectory("hit-counter-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setPort(settings.port());
        tomcat.getConnector().setThrowOnFailure(true);
        // Bound on start, the listening socket is closed as soon as a stop begins, so new
        // connections are refused while the requests in flight finish.
        tomcat.getConnector().setProperty("bindOnInit", "false");
        // No endpoint reads a request body, and swallowing an unread one would hold a request thread
        // for as long as the client stalls (up to the connection timeout): close the connection instead.
        tomcat.getConnector().setProperty("maxSwallowSize", "0");
        // REQUEST_THREADS, by default a number that follows the processors (RequestThreads); all of them are
        // started at once, as the image's server.xml does, so a thread dump shows the count.
        tomcat.getConnector().setProperty("maxThreads", String.valueOf(settings.requestThreads()));
        tomcat.getConnector().setProperty("minSpareThreads", String.valueOf(settings.requestThreads()));
        // The launcher turns Tomcat's JMX registry off; /metrics reads the connector's ThreadPool MBean (issue 25).
        ConnectorThreadPool.watch(tomcat);

        // Naming the class keeps the Host from adding Tomcat's own report valve beside ours.
        ((StandardHost) tomcat.getHost()).setErrorReportValveClass(ErrorPageValve.class.getName());
        tomcat.getHost().getPipeline().addValve(new ErrorPageValve());
        if (settings.accessLog()) {
            tomcat.getHost().getPipeline().addValve(new JsonAccessLog());
        }

        // addContext does no annotation or web.xml scanning: the listener is registered by name, as
        // web.xml does (only such a listener may add servlets), and finds the settings read here.
        Context context = tomcat.addContext("", baseDir.toString());
        context.addServletContainerInitializer(
                (classes, servletContext) -> servletContext.setAttribute(HitCounterApp.SETTINGS, settings), null);
        context.addApplicationListener(HitCounterApp.class.getName());
        // What web.xml and META-INF/context.xml say for a standalone Tomcat.
        ErrorPage errorPage = new ErrorPage();
        errorPage.setLocation("/error");
        context.addErrorPage(errorPage);
        ((StandardContext) context).setUnloadDelay(SHUTDOWN_GRACE_MILLIS);
        // Leak checks for redeploying into a long-lived Tomcat; this one stops with its only app, and
        // the checks would only warn that the JVM lacks the --add-opens flags they need.
        ((StandardContext) context).setClearReferencesThreadLocals(false);
        ((StandardContext) context).setClearReferencesRmiTargets(false);
        EmbeddedServer server = new EmbeddedServer(tomcat, baseDir);
        try {
            tomcat.start();
            if (context.getState() != LifecycleState.STARTED) {
                throw new LifecycleException("the app did not start; see the log above");
            }
        } catch (LifecycleException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The port Tomcat listens on. */
    public int port() {
        return tomcat.getConnector().getLocalPort();
    }

    /** Blocks until Tomcat stops. */
    public void await() {
        tomcat.getServer().await();
    }

    @Override
    public void close() {
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException("Tomcat did not stop cleanly", e);
        } finally {
            deleteQuietly(baseDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temp folder is harmless.
        }
    }
}
