package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The launcher as its own process, as the README's run command starts it. */
class EmbeddedLauncherIT {

    @Test
    void servesCountsFromMemoryWhenRedisUrlIsUnset() throws Exception {
        int port = freePort();
        Process launcher = launch(Map.of("PORT", String.valueOf(port)));
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI root = URI.create("http://127.0.0.1:" + port + "/");
            assertEquals(1, RunningApp.countIn(awaitPage(http, root, launcher)));
            assertEquals(2, RunningApp.countIn(http.send(HttpRequest.newBuilder(root).build(),
                    HttpResponse.BodyHandlers.ofString()).body()));
        } finally {
            launcher.destroy();
            assertTrue(launcher.waitFor(20, TimeUnit.SECONDS), "the launcher stops on SIGTERM");
        }
        assertTrue(output(launcher).contains("counting in memory"), output(launcher));
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
    })
    void badSettingStopsStartWithOneLineNamingIt(String variable, String value, String expected) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("PORT", String.valueOf(freePort())));
        env.put(variable, value);
        Process launcher = launch(env);
        assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), "the launcher exits");
        assertEquals(2, launcher.exitValue());
        List<String> lines = output(launcher).lines().toList();
        assertEquals(1, lines.size(), "one line: " + lines);
        assertTrue(lines.get(0).startsWith("hit-counter: " + variable + "="), lines.get(0));
        assertTrue(lines.get(0).contains("expected " + expected), lines.get(0));
        assertFalse(lines.get(0).contains("s3cret"), "the password is redacted: " + lines.get(0));
    }

    @Test
    void unreadablePasswordFileStopsStart() throws Exception {
        Process launcher = launch(Map.of("REDIS_URL", "redis://redis:6379",
                "REDIS_PASSWORD_FILE", "/nonexistent/redis-password"));
        assertTrue(launcher.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, launcher.exitValue());
        assertTrue(output(launcher).startsWith("hit-counter: REDIS_PASSWORD_FILE=/nonexistent/redis-password"),
                output(launcher));
    }

    @Test
    void portInUseStopsStartWithAClearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Process launcher = launch(Map.of("PORT", String.valueOf(taken.getLocalPort())));
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, launcher.exitValue());
            assertTrue(output(launcher).contains("hit-counter: cannot listen on PORT=" + taken.getLocalPort()),
                    output(launcher));
        }
    }

    private static Process launch(Map<String, String> env) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = Files.createTempFile("launcher", ".log");
        ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, EmbeddedLauncher.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("REDIS_") || name.equals("PORT")
                || name.equals("COUNTER_KEY"));
        builder.environment().putAll(env);
        Process process = builder.start();
        LOGS.put(process, log);
        return process;
    }

    private static final Map<Process, Path> LOGS = new java.util.concurrent.ConcurrentHashMap<>();

    private static String output(Process process) throws IOException {
        return Files.readString(LOGS.get(process), StandardCharsets.UTF_8);
    }

    private static String awaitPage(HttpClient http, URI root, Process launcher) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!launcher.isAlive()) {
                throw new AssertionError("the launcher exited: " + output(launcher));
            }
            try {
                return http.send(HttpRequest.newBuilder(root).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.net.ConnectException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no answer within 30 s: " + output(launcher));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
