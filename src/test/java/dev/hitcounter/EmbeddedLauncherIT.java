package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.hitcounter.testing.LauncherProcess;
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
}
