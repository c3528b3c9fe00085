package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import dev.hitcounter.testing.LauncherProcess;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import dev.hitcounter.testing.ThreadDump;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The launcher as its own process, as the README's run command starts it. */
class EmbeddedLauncherIT {

    @Test
    void servesCountsFromMemoryWhenRedisUrlIsUnset() throws Exception {
        int port = LauncherProcess.freePort();
        try (LauncherProcess launcher = LauncherProcess.start(Map.of("PORT", String.valueOf(port)))) {
            HttpClient http = HttpClient.newHttpClient();
            URI root = URI.create("http://127.0.0.1:" + port + "/");
            assertEquals(1, RunningApp.countIn(launcher.awaitAnswer(http, root)));
            assertEquals(2, RunningApp.countIn(http.send(HttpRequest.newBuilder(root).build(),
                    HttpResponse.BodyHandlers.ofString()).body()));
            launcher.terminate();
            launcher.awaitExit();
            assertTrue(launcher.output().contains("counting in memory"), launcher.output());
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "PORT                     | eighty         | a whole number from 0 to 65535",
        "PORT                     | 70000          | a whole number from 0 to 65535",
        "REDIS_URL                | http://redis   | redis://[user:password@]host[:port][/db]",
        "REDIS_URL                | redis://:s3cret@redis:99999 | redis://[user:password@]host[:port][/db]",
        "REDIS_URL                | redis://redis/db1 | redis://[user:password@]host[:port][/db]",
        "COUNTER_KEY              | two words      | a Redis key of 1-512 visible ASCII characters",
        "REDIS_POOL_SIZE          | 0              | a whole number from 1 to 10000",
        "REDIS_POOL_WAIT_MS       | -5             | a whole number from 0 to 60000",
        "REDIS_CONNECT_TIMEOUT_MS | 1s             | a whole number from 1 to 60000",
        "REDIS_READ_TIMEOUT_MS    | 0              | a whole number from 1 to 60000",
        "REDIS_COALESCE           | yes            | true or false",
    })
    void badSettingStopsStartWithOneLineNamingIt(String variable, String value, String expected) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("PORT", String.valueOf(LauncherProcess.freePort())));
        env.put(variable, value);
        try (LauncherProcess launcher = LauncherProcess.start(env)) {
            assertEquals(2, launcher.awaitExit());
            List<String> lines = launcher.output().lines().toList();
            assertEquals(1, lines.size(), "one line: " + lines);
            assertTrue(lines.get(0).startsWith("hit-counter: " + variable + "="), lines.get(0));
            assertTrue(lines.get(0).contains("expected " + expected), lines.get(0));
            assertFalse(lines.get(0).contains("s3cret"), "the password is redacted: " + lines.get(0));
        }
    }

    @Test
    void startsTwoRequestThreadsPerProcessorTheJvmSees() throws Exception {
        assertEquals(16, requestThreads(Map.of(), "-XX:ActiveProcessorCount=8"));
        assertEquals(2, requestThreads(Map.of(), "-XX:ActiveProcessorCount=1"));
        assertEquals(5, requestThreads(Map.of("REQUEST_THREADS", "5"), "-XX:ActiveProcessorCount=8"));
    }

    private static long requestThreads(Map<String, String> env, String jvmOption) throws Exception {
        int port = LauncherProcess.freePort();
        Map<String, String> withPort = new HashMap<>(env);
        withPort.put("PORT", String.valueOf(port));
        try (LauncherProcess launcher = LauncherProcess.start(withPort, List.of(jvmOption))) {
            RunningApp.countIn(launcher.awaitAnswer(HttpClient.newHttpClient(), launcher.uri("/")));
            return ThreadDump.requestThreads(launcher.process().pid());
        }
    }

    @Test
    void badRequestThreadsStopsStart() throws Exception {
        try (LauncherProcess launcher = LauncherProcess.start(Map.of("REQUEST_THREADS", "many"))) {
            assertEquals(2, launcher.awaitExit());
            assertTrue(launcher.output().startsWith("hit-counter: REQUEST_THREADS=many is invalid: expected a whole "
                    + "number from 1 to 10000"), launcher.output());
        }
    }

    @Test
    void unreadablePasswordFileStopsStart() throws Exception {
        try (LauncherProcess launcher = LauncherProcess.start(Map.of("REDIS_URL", "redis://redis:6379",
                "REDIS_PASSWORD_FILE", "/nonexistent/redis-password"))) {
            assertEquals(2, launcher.awaitExit());
            assertTrue(launcher.output().startsWith("hit-counter: REDIS_PASSWORD_FILE=/nonexistent/redis-password"),
                    launcher.output());
        }
    }

    @Test
    void portInUseStopsStartWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0);
             LauncherProcess launcher = LauncherProcess.start(Map.of("PORT", String.valueOf(taken.getLocalPort())))) {
            assertEquals(1, launcher.awaitExit());
            assertTrue(launcher.output().contains("hit-counter: cannot listen on PORT=" + taken.getLocalPort()),
                    launcher.output());
        }
    }

    @Test
    void withTheRunCommandsPropertyTheAppStopsWhenItsParentEnds() throws Exception {
        int port = LauncherProcess.freePort();
        try (LauncherProcess shell = LauncherProcess.startUnderShell(Map.of("PORT", String.valueOf(port)),
                List.of("-D" + EmbeddedLauncher.STOP_WITH_PARENT + "=true"))) {
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(1, RunningApp.countIn(shell.awaitAnswer(http, shell.uri("/"))));
            ProcessHandle app = shell.process().children().findFirst().orElseThrow();
            try {
                shell.terminate();
                awaitTrue(() -> ended(app) && portIsFree(port), 20, "the app stopped and freed port " + port);
                String output = shell.output();
                assertTrue(output.contains("The process that started hit-counter (pid " + shell.process().pid()
                        + ") has ended: stopping"), output);
                assertTrue(output.contains("Stopping service"), "stopped as on SIGTERM: " + output);
            } finally {
                app.destroyForcibly();
            }
        }
    }

    @Test
    void withoutItALauncherOutlivesItsParent() throws Exception {
        int port = LauncherProcess.freePort();
        try (LauncherProcess shell = LauncherProcess.startUnderShell(Map.of("PORT", String.valueOf(port)), List.of())) {
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(1, RunningApp.countIn(shell.awaitAnswer(http, shell.uri("/"))));
            ProcessHandle app = shell.process().children().findFirst().orElseThrow();
            try {
                shell.terminate();
                shell.awaitExit();
                // Longer than the app with the property takes to notice (about 0.3 s at this age).
                Thread.sleep(2_000);
                assertTrue(app.isAlive(), shell.output());
                assertEquals(2, RunningApp.countIn(http.send(HttpRequest.newBuilder(shell.uri("/")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()));
            } finally {
                app.destroyForcibly();
            }
        }
    }

    /**
     * The README's command itself, counting in Redis (where Jedis logs through SLF4J), in a copy of the project so that
     * its build does not touch target/.
     */
    @Test
    void theReadmeRunCommandsAppStopsWhenOnlyMavenIsKilled() throws Exception {
        Path project = projectCopy();
        int port = LauncherProcess.freePort();
        ProcessHandle app = null;
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            Process maven = readmeRunCommand(project, Map.of("PORT", String.valueOf(port), "REDIS_URL", redis.url()));
            try {
                HttpClient http = HttpClient.newHttpClient();
                URI root = URI.create("http://127.0.0.1:" + port + "/");
                awaitTrue(() -> answers(http, root) || !maven.isAlive(), 180, "the run command serves " + root);
                assertTrue(maven.isAlive(), "Maven exited: " + Files.readString(project.resolve("run.log")));
                assertEquals(1, redis.valueOf("views"));
                // slf4j-jdk14 on the classpath the run command starts: no "no binding" warning, Jedis's lines kept.
                String log = Files.readString(project.resolve("run.log"));
                assertFalse(log.contains("SLF4J:"), log);
                app = maven.descendants()
                        .filter(process -> process.info().commandLine().orElse("").contains("EmbeddedLauncher"))
                        .findFirst().orElseThrow();

                // kill <maven pid>: SIGTERM to Maven alone, as an IDE's stop button or a CI timeout sends it.
                maven.destroy();
                ProcessHandle launched = app;
                awaitTrue(() -> ended(launched) && portIsFree(port), 20, "the app stopped and freed port " + port);
            } finally {
                maven.descendants().forEach(ProcessHandle::destroyForcibly);
                maven.destroyForcibly();
                if (app != null) {
                    app.destroyForcibly();
                }
            }
        } finally {
            delete(project);
        }
    }

    /**
     * A bad setting under the README's command: our one line, Maven's short report of the exit code after it and no
     * stack trace (.mvn/jvm.config silences the exec plugin's own report, which was 35 lines of ExecuteException).
     */
    @Test
    void theReadmeRunCommandWithABadSettingEndsWithOurLine() throws Exception {
        Path project = projectCopy();
        try {
            Process maven = readmeRunCommand(project, Map.of("PORT", "eighty"));
            assertTrue(maven.waitFor(180, TimeUnit.SECONDS), "the run command ended");
            String output = Files.readString(project.resolve("run.log"));
            List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
            assertEquals("hit-counter: PORT=eighty is invalid: expected a whole number from 0 to 65535 (default 8080)",
                    lines.get(lines.size() - 1), "the run ends with our line: " + output);
            assertTrue(lines.stream().noneMatch(line -> line.contains("ExecuteException")
                    || line.strip().startsWith("at ") || line.contains("[ERROR]")), "no stack trace: " + output);
        } finally {
            delete(project);
        }
    }

    private static Path projectCopy() throws IOException {
        Path project = Files.createTempDirectory("hit-counter-run");
        copy(Path.of("pom.xml"), project);
        copy(Path.of("mvnw"), project);
        copy(Path.of(".mvn"), project);
        copy(Path.of("src/main"), project);
        return project;
    }

    /** {@code ./mvnw -q compile exec:exec} in {@code project}, with these variables and none of the caller's. */
    private static Process readmeRunCommand(Path project, Map<String, String> env) throws IOException {
        ProcessBuilder run = new ProcessBuilder("./mvnw", "-q", "-B", "compile", "exec:exec")
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(project.resolve("run.log").toFile());
        run.environment().keySet().removeIf(name -> name.startsWith("REDIS_") || name.equals("COUNTER_KEY")
                || name.equals("PORT"));
        run.environment().putAll(env);
        return run.start();
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static void copy(Path source, Path targetDir) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : paths.toList()) {
                Path target = targetDir.resolve(path.toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static boolean answers(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body()
                    .contains("This page has been seen");
        } catch (ConnectException e) {
            return false;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Whether the process has ended: gone, or a zombie whose new parent has not reaped it yet (an
     * orphan's is PID 1, which in a container build need not reap), which the JDK counts as alive.
     */
    private static boolean ended(ProcessHandle process) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitTrue(BooleanSupplier condition, int seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(100);
        }
    }
}
