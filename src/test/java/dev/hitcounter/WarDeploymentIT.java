package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import dev.hitcounter.testing.LauncherProcess;
import dev.hitcounter.testing.RawHttp;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import dev.hitcounter.testing.ThreadDump;
import org.junit.jupiter.api.Test;

/** The built WAR, unchanged, in a stock Tomcat 11 distribution started with catalina.sh. */
class WarDeploymentIT {

    private static final Path WAR = Path.of(System.getProperty("hitcounter.war", "target/hit-counter.war"));
    private static final Path TOMCAT_HOME = Path.of(System.getProperty("hitcounter.tomcat.home", "target/standalone-tomcat"));
    private static final Path IMAGE_SERVER_XML = Path.of("docker/tomcat/server.xml");
    private static final Path IMAGE_SETENV = Path.of("docker/tomcat/setenv.sh");
    private static final Path TOMCAT_LIB = Path.of(System.getProperty("hitcounter.tomcat.lib",
            "target/hit-counter-tomcat-lib.jar"));

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void warHoldsNoTomcatOrServletApiJars() throws IOException {
        try (ZipFile war = new ZipFile(WAR.toFile())) {
            List<String> libs = war.stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith("WEB-INF/lib/")).toList();
            assertTrue(libs.stream().anyMatch(name -> name.contains("jedis")), "jedis is packaged: " + libs);
            assertTrue(libs.stream().noneMatch(name -> name.contains("tomcat") || name.contains("servlet-api")),
                    "no container jars in WEB-INF/lib: " + libs);
        }
    }

    @Test
    void stockTomcatServesThePageFromTheWar() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path base = catalinaBase();
            int port = LauncherProcess.freePort();
            // The distribution's own server.xml, with only the ports changed: shutdown port off, HTTP on a free one.
            writeServerXml(base, Files.readString(TOMCAT_HOME.resolve("conf/server.xml"))
                    .replace("port=\"8005\"", "port=\"-1\""), port);
            Files.copy(WAR, base.resolve("webapps/ROOT.war"));
            Process tomcat = startCatalina(base, redis, Map.of());
            try {
                URI root = URI.create("http://127.0.0.1:" + port + "/");
                assertEquals(1, RunningApp.countIn(awaitPage(root, tomcat, base).body()));
                assertEquals(2, RunningApp.countIn(get(root).body()));
                assertEquals(2, redis.valueOf("views"));
                HttpResponse<String> jsp = get(root.resolve("/x.jsp"));
                assertEquals(404, jsp.statusCode());
                assertTrue(jsp.body().contains("There is no page here."), jsp.body());
                // The JVM's and the connector's metrics, the latter from the standalone Tomcat's own MBean (issue 25).
                String metrics = get(root.resolve("/metrics")).body();
                assertTrue(metrics.contains("\ntomcat_connector_threads_max{connector=\"http-nio-" + port + "\"} 200"),
                        metrics);
                assertTrue(metrics.contains("\njvm_memory_used_bytes{area=\"heap\"} "), metrics);
            } finally {
                stop(tomcat);
            }
            // The JVM and connector metrics start no thread and leave nothing Tomcat reports when the app stops.
            String log = Files.readString(base.resolve("logs/console.log"));
            assertTrue(log.contains("Stopping service"), log);
            assertFalse(log.contains("appears to have started a thread") || log.contains("memory leak"), log);
        }
    }

    @Test
    void imageTomcatConfigurationServesTheExplodedWarWithTheAppsErrorPages() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path base = catalinaBase();
            int port = LauncherProcess.freePort();
            imageConfiguration(base, port);
            Process tomcat = startCatalina(base, redis, Map.of());
            try {
                URI root = URI.create("http://127.0.0.1:" + port + "/");
                HttpResponse<String> first = awaitPage(root, tomcat, base);
                assertEquals(1, RunningApp.countIn(first.body()));
                assertFalse(first.headers().firstValue("Server").isPresent(), "no Server header");
                assertEquals("nosniff", first.headers().firstValue("X-Content-Type-Options").orElse(""));

                RawHttp.Result badUri = RawHttp.send(port, "GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertEquals(400, badUri.status());
                assertTrue(badUri.response().contains("<title>Bad request</title>"), badUri.response());
                assertFalse(badUri.response().contains("Tomcat"), badUri.response());

                HttpResponse<String> missing = get(root.resolve("/WEB-INF/web.xml"));
                assertEquals(404, missing.statusCode());
                assertTrue(missing.body().contains("There is no page here."), missing.body());
                assertEquals(1, redis.valueOf("views"));

                // The image runs few request threads; uploads that stall mid-body must not hold them.
                List<Socket> stalled = RawHttp.stallMidBody(port, 20);
                try {
                    Thread.sleep(500);
                    long started = System.nanoTime();
                    // The stalled GETs with a body are views of / too, so the count is not 2 here.
                    RunningApp.countIn(get(root).body());
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    assertTrue(millis < 2_000, "the page answered beside 20 stalled uploads, in " + millis + " ms");
                } finally {
                    for (Socket socket : stalled) {
                        socket.close();
                    }
                }
            } finally {
                stop(tomcat);
            }
            // No access log unless ACCESS_LOG=true.
            assertFalse(Files.readString(base.resolve("logs/console.log")).contains("\"remoteAddr\""));
        }
    }

    @Test
    void imageTomcatWritesAJsonAccessLogLinePerRequestWithAccessLogTrue() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path base = catalinaBase();
            int port = LauncherProcess.freePort();
            imageConfiguration(base, port);
            Process tomcat = startCatalina(base, redis, Map.of("ACCESS_LOG", "true"));
            try {
                URI root = URI.create("http://127.0.0.1:" + port + "/");
                awaitPage(root, tomcat, base);
                http.send(HttpRequest.newBuilder(root.resolve("/healthz")).header("User-Agent", "access-log-it").build(),
                        HttpResponse.BodyHandlers.ofString());
            } finally {
                stop(tomcat);
            }
            String log = Files.readString(base.resolve("logs/console.log"));
            assertTrue(log.lines().anyMatch(line -> line.startsWith("{\"remoteAddr\":\"127.0.0.1\"")
                    && line.contains("\"request\":\"GET /healthz HTTP/1.1\"") && line.contains("\"statusCode\":\"200\"")
                    && line.contains("\"User-Agent\":\"access-log-it\"")), log);
        }
    }

    @Test
    void imageTomcatStartsTwoRequestThreadsPerProcessorTheJvmSees() throws Exception {
        assertEquals(16, requestThreadsOfImageTomcat(Map.of("CATALINA_OPTS", "-XX:ActiveProcessorCount=8")));
        assertEquals(2, requestThreadsOfImageTomcat(Map.of("CATALINA_OPTS", "-XX:ActiveProcessorCount=1")));
    }

    @Test
    void imageTomcatTakesRequestThreadsFromTheEnvironment() throws Exception {
        assertEquals(5, requestThreadsOfImageTomcat(Map.of("CATALINA_OPTS", "-XX:ActiveProcessorCount=8",
                "REQUEST_THREADS", "5")));
    }

    /** The request threads a Tomcat configured as the image is has once it serves the page. */
    private long requestThreadsOfImageTomcat(Map<String, String> env) throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path base = catalinaBase();
            int port = LauncherProcess.freePort();
            imageConfiguration(base, port);
            Process tomcat = startCatalina(base, redis, env);
            try {
                awaitPage(URI.create("http://127.0.0.1:" + port + "/"), tomcat, base);
                return ThreadDump.requestThreads(tomcat.pid());
            } finally {
                stop(tomcat);
            }
        }
    }

    /** What docker/Dockerfile adds to the stock Tomcat: server.xml, setenv.sh, the lib jar and the exploded WAR. */
    private static void imageConfiguration(Path base, int port) throws IOException {
        writeServerXml(base, Files.readString(IMAGE_SERVER_XML), port);
        Files.createDirectories(base.resolve("bin"));
        Files.copy(IMAGE_SETENV, base.resolve("bin/setenv.sh"));
        Files.createDirectories(base.resolve("lib"));
        Files.copy(TOMCAT_LIB, base.resolve("lib").resolve(TOMCAT_LIB.getFileName()));
        explode(WAR, base.resolve("webapps/ROOT"));
    }

    private static Path catalinaBase() throws IOException {
        Path base = Files.createTempDirectory("catalina-base");
        for (String dir : List.of("conf", "webapps", "logs", "temp", "work")) {
            Files.createDirectories(base.resolve(dir));
        }
        try (var files = Files.list(TOMCAT_HOME.resolve("conf"))) {
            for (Path file : files.toList()) {
                Files.copy(file, base.resolve("conf").resolve(file.getFileName()));
            }
        }
        return base;
    }

    private static void writeServerXml(Path base, String serverXml, int port) throws IOException {
        Files.writeString(base.resolve("conf/server.xml"), serverXml.replace("port=\"8080\"", "port=\"" + port + "\""),
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static void explode(Path war, Path target) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                Path path = target.resolve(entry.getName()).normalize();
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else {
                    Files.createDirectories(path.getParent());
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, path);
                    }
                }
            }
        }
    }

    private static Process startCatalina(Path base, RedisServerProcess redis, Map<String, String> env)
            throws IOException {
        ProcessBuilder catalina = new ProcessBuilder("sh", TOMCAT_HOME.resolve("bin/catalina.sh").toString(), "run")
                .redirectErrorStream(true)
                .redirectOutput(base.resolve("logs/console.log").toFile());
        catalina.environment().put("CATALINA_HOME", TOMCAT_HOME.toAbsolutePath().toString());
        catalina.environment().put("CATALINA_BASE", base.toString());
        catalina.environment().put("REDIS_URL", redis.url());
        catalina.environment().remove("CATALINA_OPTS");
        catalina.environment().remove("JAVA_OPTS");
        catalina.environment().remove("REQUEST_THREADS");
        catalina.environment().putAll(env);
        return catalina.start();
    }

    private static void stop(Process tomcat) throws InterruptedException {
        tomcat.destroy();
        if (!tomcat.waitFor(20, TimeUnit.SECONDS)) {
            tomcat.destroyForcibly();
        }
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitPage(URI root, Process tomcat, Path base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!tomcat.isAlive()) {
                throw new AssertionError("catalina.sh exited: " + Files.readString(base.resolve("logs/console.log")));
            }
            try {
                HttpResponse<String> response = get(root);
                // Tomcat answers 404 until ROOT is deployed.
                if (response.statusCode() != 404) {
                    assertEquals(200, response.statusCode(), response.body());
                    return response;
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Tomcat did not serve / within 60 s: " + Files.readString(base.resolve("logs/console.log")));
    }
}
