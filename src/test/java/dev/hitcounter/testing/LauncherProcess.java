package dev.hitcounter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.hitcounter.EmbeddedLauncher;

/** The embedded launcher as a process of its own, started as the README's run command starts it. */
public final class LauncherProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final String port;

    private LauncherProcess(Process process, Path log, String port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code java -cp … EmbeddedLauncher} with these variables and none of the caller's app variables. */
    public static LauncherProcess start(Map<String, String> env) {
        return start(env, List.of());
    }

    /** As {@link #start(Map)}, with these options for the JVM (e.g. {@code -Djavax.net.ssl.trustStore=…}). */
    public static LauncherProcess start(Map<String, String> env, List<String> jvmOptions) {
        return startCommand(launcherCommand(jvmOptions), env);
    }

    /**
     * As {@link #start(Map, List)}, but as the child of a shell that waits for it, as Maven's
     * {@code exec:exec} forks it: {@link #process()} is the shell, and the launcher its only child.
     */
    public static LauncherProcess startUnderShell(Map<String, String> env, List<String> jvmOptions) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "\"$@\" & wait", "sh"));
        command.addAll(launcherCommand(jvmOptions));
        return startCommand(command, env);
    }

    private static List<String> launcherCommand(List<String> jvmOptions) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, EmbeddedLauncher.class.getName()));
        return command;
    }

    private static LauncherProcess startCommand(List<String> command, Map<String, String> env) {
        try {
            Path log = Files.createTempFile("launcher", ".log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("REDIS_") || name.equals("PORT")
                    || name.equals("COUNTER_KEY") || name.equals("REQUEST_THREADS")
                    || name.equals("ACCESS_LOG"));
            builder.environment().putAll(env);
            return new LauncherProcess(builder.start(), log, env.get("PORT"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:PORT/path}, with the PORT this process was started with. */
    public URI uri(String path) {
        if (port == null) {
            throw new IllegalStateException("started without PORT");
        }
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public Process process() {
        return process;
    }

    /** Everything the process printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the process to exit and returns its exit code. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the launcher did not exit: " + output());
        }
        return process.exitValue();
    }

    /** Polls {@code uri} until it answers, and returns the first answer's body. */
    public String awaitAnswer(HttpClient http, URI uri) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the launcher exited: " + output());
            }
            try {
                return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (ConnectException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no answer within 30 s: " + output());
    }

    /** Sends SIGTERM, as Docker and Ctrl-C do. */
    public void terminate() {
        process.destroy();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
