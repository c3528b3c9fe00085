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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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

    /**
     * The README's "Deploy the WAR" steps, run as written (only Redis's address and the ports differ) in a copy of the
     * stock distribution that still has its welcome app in webapps/ROOT/, which wins over ROOT.war unless removed.
     */
    @Test
    void theReadmesStepsServeThePageInAStockTomcatThatHasItsWelcomeApp() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path home = stockDistribution();
            assertTrue(Files.isDirectory(home.resolve("webapps/ROOT")), "the copy has the stock webapps/ROOT/");
            int port = LauncherProcess.freePort();
            try {
                runReadmeSteps(home, redis.url(), port);
                URI root = URI.create("http://127.0.0.1:" + port + "/");
                HttpResponse<String> first = awaitAnswer(root, home);
                assertEquals(200, first.statusCode(), first.body());
                assertTrue(first.body().contains("Hello! This page has been seen 1 times."), first.body());
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
                stopTomcat(home);
                // The JVM and connector metrics start no thread and leave nothing Tomcat reports when the app stops.
                String log = Files.readString(home.resolve("logs/catalina.out"));
                assertTrue(log.contains("Stopping service"), log);
                assertFalse(log.contains("appears to have started a thread") || log.contains("memory leak"), log);
            } finally {
                stopStarted(home);
            }
        }
    }

    /** The README's EXIT_ON_STARTUP_ERROR=true: a bad setting stops Tomcat, and catalina.out ends with the reason. */
    @Test
    void theReadmesStepsWithABadSettingStopTomcatWithTheReasonInCatalinaOut() throws Exception {
        Path home = stockDistribution();
        try {
            runReadmeSteps(home, "http://redis:6379", LauncherProcess.freePort());
            ProcessHandle tomcat = ProcessHandle.of(Long.parseLong(Files.readString(home.resolve(PID_FILE)).trim()))
                    .orElse(null);
            if (tomcat != null) {
                tomcat.onExit().get(60, TimeUnit.SECONDS);
            }
            String log = Files.readString(home.resolve("logs/catalina.out"));
            assertTrue(log.contains("hit-counter cannot start: REDIS_URL=http://redis:6379 is invalid: expected "
                    + "redis://"), log);
        } finally {
            stopStarted(home);
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

    /** docker/tomcat/setenv.sh: every thread of the image's Tomcat runs under SCHED_BATCH unless SCHED_BATCH=false. */
    @Test
    void imageTomcatRunsEveryThreadUnderSchedBatchUnlessTurnedOff() throws Exception {
        assertEquals(Set.of(SCHED_BATCH), schedulingPoliciesOfImageTomcat(Map.of()));
        assertEquals(Set.of(SCHED_OTHER), schedulingPoliciesOfImageTomcat(Map.of("SCHED_BATCH", "false")));
    }

    @Test
    void imageTomcatRefusesToStartWithAnInvalidSchedBatch() throws Exception {
        Path base = catalinaBase();
        imageConfiguration(base, LauncherProcess.freePort());
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Process tomcat = startCatalina(base, redis, Map.of("SCHED_BATCH", "yes"));
            assertTrue(tomcat.waitFor(30, TimeUnit.SECONDS), "catalina.sh stops at once");
            assertEquals(1, tomcat.exitValue());
            assertTrue(Files.readString(base.resolve("logs/console.log"))
                    .contains("hit-counter cannot start: SCHED_BATCH=yes is invalid: expected true or false"));
        }
    }

    private static final String SCHED_OTHER = "0";
    private static final String SCHED_BATCH = "3";

    /** The Linux scheduling policies of all the threads of a Tomcat configured as the image is, once it serves. */
    private Set<String> schedulingPoliciesOfImageTomcat(Map<String, String> env) throws Exception {
        return ofServingImageTomcat(env, WarDeploymentIT::schedulingPolicies);
    }

    private static Set<String> schedulingPolicies(long pid) throws IOException {
        Set<String> policies = new TreeSet<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                Matcher policy = POLICY.matcher(Files.readString(task.resolve("sched")));
                assertTrue(policy.find(), task + "/sched names a policy");
                policies.add(policy.group(1));
            }
        }
        return policies;
    }

    private static final Pattern POLICY = Pattern.compile("^policy\\s*:\\s*(\\d+)", Pattern.MULTILINE);

    /** The request threads a Tomcat configured as the image is has once it serves the page. */
    private long requestThreadsOfImageTomcat(Map<String, String> env) throws Exception {
        return ofServingImageTomcat(env, ThreadDump::requestThreads);
    }

    /** What {@code inspection} finds in the process of a Tomcat configured as the image is, once it serves the page. */
    private <T> T ofServingImageTomcat(Map<String, String> env, ProcessInspection<T> inspection) throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Path base = catalinaBase();
            int port = LauncherProcess.freePort();
            imageConfiguration(base, port);
            Process tomcat = startCatalina(base, redis, env);
            try {
                awaitPage(URI.create("http://127.0.0.1:" + port + "/"), tomcat, base);
                return inspection.of(tomcat.pid());
            } finally {
                stop(tomcat);
            }
        }
    }

    /** Something read from a running process, by its id. */
    @FunctionalInterface
    private interface ProcessInspection<T> {
        T of(long pid) throws IOException;
    }

    private static final Path README = Path.of("README.md");
    private static final String PID_FILE = "tomcat.pid";
    private static final String README_REDIS = "redis://localhost:6379";

    /** A copy of the distribution as unpacked from its tar.gz, welcome app and all, with its own ports changed. */
    private static Path stockDistribution() throws IOException {
        Path home = Files.createTempDirectory("catalina-home");
        try (Stream<Path> paths = Files.walk(TOMCAT_HOME)) {
            for (Path path : paths.toList()) {
                Path target = home.resolve(TOMCAT_HOME.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return home;
    }

    /**
     * Runs the shell lines of the README's "Deploy the WAR" block, but its curl, with {@code $CATALINA_HOME} the copy,
     * this Redis instead of the README's, HTTP on {@code port} and no shutdown port (other builds may be running).
     */
    private static void runReadmeSteps(Path home, String redisUrl, int port) throws Exception {
        String serverXml = Files.readString(home.resolve("conf/server.xml"));
        Files.writeString(home.resolve("conf/server.xml"), serverXml.replace("port=\"8005\"", "port=\"-1\"")
                .replace("port=\"8080\"", "port=\"" + port + "\""), StandardOpenOption.TRUNCATE_EXISTING);
        String readme = Files.readString(README);
        String section = readme.substring(readme.indexOf("## Deploy the WAR into Tomcat"));
        int open = section.indexOf("```\n") + 4;
        List<String> steps = section.substring(open, section.indexOf("```", open)).lines()
                .filter(line -> !line.startsWith("curl ")).toList();
        assertEquals(List.of("rm -rf \"$CATALINA_HOME/webapps/ROOT\"",
                "cp target/hit-counter.war \"$CATALINA_HOME/webapps/ROOT.war\"",
                "REDIS_URL=" + README_REDIS + " EXIT_ON_STARTUP_ERROR=true \"$CATALINA_HOME/bin/catalina.sh\" start"),
                steps, "the README's steps");
        String script = String.join("\n", steps).replace(README_REDIS, redisUrl)
                .replace("target/hit-counter.war", WAR.toAbsolutePath().toString());
        ProcessBuilder shell = new ProcessBuilder("sh", "-ec", script).redirectErrorStream(true)
                .redirectOutput(home.resolve("steps.log").toFile());
        shell.environment().keySet().removeIf(name -> name.startsWith("CATALINA_") || name.startsWith("REDIS_")
                || name.equals("JAVA_OPTS") || name.equals("REQUEST_THREADS"));
        shell.environment().put("CATALINA_HOME", home.toString());
        // catalina.sh start records the Tomcat JVM's process id here, for stopStarted.
        shell.environment().put("CATALINA_PID", home.resolve(PID_FILE).toString());
        Process run = shell.start();
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the README's steps ended");
        assertEquals(0, run.exitValue(), Files.readString(home.resolve("steps.log")));
    }

    /** Stops the Tomcat that catalina.sh start left running, as catalina.sh stop -force would, and removes the copy. */
    private static void stopStarted(Path home) throws Exception {
        stopTomcat(home);
        try (Stream<Path> paths = Files.walk(home)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static void stopTomcat(Path home) throws Exception {
        Path pidFile = home.resolve(PID_FILE);
        if (Files.exists(pidFile)) {
            Optional<ProcessHandle> tomcat = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
            if (tomcat.isPresent()) {
                tomcat.get().destroy();
                try {
                    tomcat.get().onExit().get(20, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    tomcat.get().destroyForcibly();
                }
            }
        }
    }

    /** The first answer to {@code root} other than Tomcat's 404 while nothing is deployed at / yet. */
    private HttpResponse<String> awaitAnswer(URI root, Path home) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = get(root);
                if (response.statusCode() != 404) {
                    return response;
                }
            } catch (ConnectException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Tomcat did not serve / within 90 s: "
                + Files.readString(home.resolve("logs/catalina.out")));
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
