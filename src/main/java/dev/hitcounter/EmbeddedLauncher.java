package dev.hitcounter;

import java.util.logging.LogManager;
import java.util.logging.Logger;

import dev.hitcounter.system.Settings;
import dev.hitcounter.system.SettingsException;
import org.apache.juli.ClassLoaderLogManager;
import org.apache.tomcat.util.modeler.Registry;

/** Runs the app without Docker on embedded Tomcat, on {@code PORT} (default 8080). */
public final class EmbeddedLauncher {

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
        Logger.getLogger(EmbeddedLauncher.class.getName())
                .info(() -> "hit-counter is serving http://localhost:" + server.port() + "/");
        server.await();
    }
}
