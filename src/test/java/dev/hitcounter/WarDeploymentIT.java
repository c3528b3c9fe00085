package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/** The built WAR, unchanged, in a stock Tomcat 11 distribution started with catalina.sh. */
class WarDeploymentIT {

    private static final Path WAR = Path.of(System.getProperty("hitcounter.war", "target/hit-counter.war"));
    private static final Path TOMCAT_HOME = Path.of(System.getProperty("hitcounter.tomcat.home", "target/standalone-tomcat"));

    @Test
    void warHoldsNoTomcatOrServletApiJars() throws IOException {
        try (ZipFile war = new ZipFile(WAR.toFile())) {
            List<String> libs = war.stream().map(entry -> entry.getName())
                    .filter(name -> name.startsWith("WEB-INF/lib/")).toList();
            assertTrue(libs.stream().anyMatch(name -> name.contains("jedis")), "jedis is packaged: " + libs);
            assertTrue(libs.stream().noneMatch(name -> name.contains("tomcat") || name.contains("servlet-api")),
                    "no container jars in WEB-INF/lib: " + libs);
        }
    }

    @Test
    void stockTomcatServesThePageFromTheWar() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path base = Files.createTempDirectory("catalina-base");
            int port = freePort();
            Files.createDirectories(base.resolve("conf"));
            Files.createDirectories(base.resolve("webapps"));
            Files.createDirectories(base.resolve("logs"));
            Files.createDirectories(base.resolve("temp"));
            // The distribution's own conf/, with only the ports changed: shutdown port off, HTTP on a free one.
            try (var files = Files.list(TOMCAT_HOME.resolve("conf"))) {
                for (Path file : files.toList()) {
                    Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
                }
            }
            String serverXml = Files.readString(TOMCAT_HOME.resolve("conf/server.xml"))
                    .replace("port=\"8005\"", "port=\"-1\"")
                    .replace("port=\"8080\"", "port=\"" + port + "\"");
            Files.writeString(base.resolve("conf/server.xml"), serverXml, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
            Files.copy(WAR, base.resolve("webapps/ROOT.war"));

            ProcessBuilder catalina = new ProcessBuilder("sh", TOMCAT_HOME.resolve("bin/catalina.sh").toString(), "run")
                    .redirectErrorStream(true)
                    .redirectOutput(base.resolve("logs/console.log").toFile());
            catalina.environment().put("CATALINA_HOME", TOMCAT_HOME.toAbsolutePath().toString());
            catalina.environment().put("CATALINA_BASE", base.toString());
            catalina.environment().put("REDIS_URL", redis.url());
            catalina.environment().remove("CATALINA_OPTS");
            catalina.environment().remove("JAVA_OPTS");
            Process tomcat = catalina.start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                URI root = URI.create("http://127.0.0.1:" + port + "/");
                HttpResponse<String> first = awaitPage(http, root, tomcat, base);
                assertEquals(200, first.statusCode(), first.body());
                assertEquals(1, RunningApp.countIn(first.body()));
                HttpResponse<String> second = http.send(HttpRequest.newBuilder(root).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(2, RunningApp.countIn(second.body()));
                assertEquals(2, redis.valueOf("views"));
                HttpResponse<String> jsp = http.send(HttpRequest.newBuilder(root.resolve("/x.jsp")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(404, jsp.statusCode());
                assertTrue(jsp.body().contains("There is no page here."), jsp.body());
            } finally {
                tomcat.destroy();
                if (!tomcat.waitFor(20, TimeUnit.SECONDS)) {
                    tomcat.destroyForcibly();
                }
            }
        }
    }

    private static HttpResponse<String> awaitPage(HttpClient http, URI root, Process tomcat, Path base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!tomcat.isAlive()) {
                throw new AssertionError("catalina.sh exited: " + Files.readString(base.resolve("logs/console.log")));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(root).build(),
                        HttpResponse.BodyHandlers.ofString());
                // Tomcat answers 404 until ROOT is deployed.
                if (response.statusCode() != 404) {
                    return response;
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Tomcat did not serve / within 60 s: " + Files.readString(base.resolve("logs/console.log")));
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
