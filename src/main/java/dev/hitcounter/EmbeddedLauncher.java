package dev.hitcounter;

import java.util.logging.Logger;

import dev.hitcounter.system.Settings;
import dev.hitcounter.system.SettingsException;

/** Runs the app without Docker on embedded Tomcat, on {@code PORT} (default 8080). */
public final class EmbeddedLauncher {

    private EmbeddedLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
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
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "hit-counter-shutdown"));
        Logger.getLogger(EmbeddedLauncher.class.getName())
                .info(() -> "hit-counter is serving http://localhost:" + server.port() + "/");
        server.await();
    }
}
