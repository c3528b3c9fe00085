package dev.hitcounter;

import java.util.logging.LogManager;
import java.util.logging.Logger;

import dev.hitcounter.system.Settings;
import dev.hitcounter.system.SettingsException;
import org.apache.juli.ClassLoaderLogManager;
import org.apache.tomcat.util.modeler.Registry;

/** Runs the app without Docker on embedded Tomcat, on {@code PORT} (default 8080). */
public final class EmbeddedLauncher {

    /**
     * Set by the README's run command (pom.xml, {@code exec:exec}): stop when the Maven process that
     * forked this JVM ends, however it ends. A plain {@code java … EmbeddedLauncher} keeps running.
     */
    static final String STOP_WITH_PARENT = "hitcounter.stopWithParent";

    private EmbeddedLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
        // The JDK's LogManager closes its handlers in a shutdown hook of its own, racing ours and
        // losing the lines Tomcat logs while it stops; Tomcat's LogManager lets us close it last.
        System.setProperty("java.util.logging.manager", ClassLoaderLogManager.class.getName());
        if (LogManager.getLogManager() instanceof ClassLoaderLogManager logManager) {
            logManager.setUseShutdownHook(false);
        }
        // Tomcat's JMX registry reads an XML descriptor per component on start; nothing reads it here.
        Registry.disableRegistry();
        Settings settings;
        try {
            settings = Settings.from(System.getenv());
        } catch (SettingsException e) {
            System.err.println("hit-counter: " + e.getMessage());
            System.exit(2);
            return;
        }
        EmbeddedServer server;
        try {
            server = EmbeddedServer.start(settings);
        } catch (Exception e) {
            System.err.println("hit-counter: cannot listen on PORT=" + settings.port() + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (LogManager.getLogManager() instanceof ClassLoaderLogManager logManager) {
                logManager.shutdown();
            }
        }, "hit-counter-shutdown"));
        Logger log = Logger.getLogger(EmbeddedLauncher.class.getName());
        if (Boolean.getBoolean(STOP_WITH_PARENT)) {
            // Killing only Maven (an IDE's stop button, a CI step's timeout) would otherwise leave this
            // JVM holding the port (issue 13). exit() runs the shutdown hook: the same stop as on SIGTERM.
            // The JDK polls a process that is not its child: 0.3 s apart at first, at most 5 s apart.
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
                log.info(() -> "The process that started hit-counter (pid " + parent.pid() + ") has ended: stopping");
                System.exit(143);
            }));
        }
        log.info(() -> "hit-counter is serving http://localhost:" + server.port() + "/");
        server.await();
    }
}
