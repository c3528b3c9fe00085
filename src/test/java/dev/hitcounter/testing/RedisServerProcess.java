package dev.hitcounter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * A real {@code redis-server} process that a test starts on a free port and stops: the one on PATH,
 * or where there is none, the binary shipped in the {@code embedded-redis} jar from Maven Central; or the server that
 * {@code -Dtest.redis.server} (and {@code -Dtest.redis.sentinel}) name, e.g. {@code valkey-server}, which then must be
 * on PATH and must say in {@code INFO server} that it is what its name says (issue 22 part 3).
 */
public final class RedisServerProcess implements AutoCloseable {

    /** The property (or, in capitals with underscores, the environment variable) naming the server binary. */
    static final String SERVER_PROPERTY = "test.redis.server";
    /** As {@link #SERVER_PROPERTY}, for the binary that runs Sentinel; by default the server's with --sentinel. */
    static final String SENTINEL_PROPERTY = "test.redis.sentinel";
    /** The binaries whose server name and version this test JVM has printed, once each. */
    private static final Set<Path> ANNOUNCED = ConcurrentHashMap.newKeySet();

    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private final JedisClientConfig login;
    private final Path sentinelConfig;
    private Process process;
    private RedisClient client;

    private RedisServerProcess(int port, Path dir, List<String> extraArgs, JedisClientConfig login,
            Path sentinelConfig) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = extraArgs;
        this.login = login;
        this.sentinelConfig = sentinelConfig;
    }

    /** Starts a Redis without persistence. */
    public static RedisServerProcess start() {
        return start("--save", "", "--appendonly", "no");
    }

    /** Starts a Redis with these extra arguments (e.g. {@code --appendonly yes}) in a fresh data folder. */
    public static RedisServerProcess start(String... args) {
        return startWithLogin(DefaultJedisClientConfig.builder().build(), args);
    }

    /** Starts a Redis that requires a login; the test's own client and the start-up check use {@code login}. */
    public static RedisServerProcess startWithLogin(JedisClientConfig login, String... args) {
        return start(LauncherProcess.freePort(), login, List.of(args));
    }

    /**
     * Starts a Redis that speaks only TLS on its port, with this certificate, and does not ask clients for one;
     * the test's own client trusts the certificate.
     */
    public static RedisServerProcess startWithTls(SelfSignedCertificate certificate, String... args) {
        int port = LauncherProcess.freePort();
        List<String> tlsArgs = new ArrayList<>(List.of("--save", "", "--appendonly", "no",
                "--port", "0", "--tls-port", String.valueOf(port),
                "--tls-cert-file", certificate.certificatePem().toString(),
                "--tls-key-file", certificate.privateKeyPem().toString(), "--tls-auth-clients", "no"));
        tlsArgs.addAll(List.of(args));
        JedisClientConfig tls = DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(certificate.socketFactory()).build();
        return start(port, tls, tlsArgs);
    }

    private static RedisServerProcess start(int port, JedisClientConfig login, List<String> args) {
        try {
            RedisServerProcess redis = new RedisServerProcess(port, Files.createTempDirectory("redis-data"), args, login,
                    null);
            redis.startProcess();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the same redis-server in Sentinel mode with these configuration lines (e.g. {@code sentinel monitor …})
     * in a configuration file of its own, which Sentinel rewrites as it learns.
     */
    public static RedisServerProcess startSentinel(String... configLines) {
        return startSentinelWithLogin(DefaultJedisClientConfig.builder().build(), configLines);
    }

    /** As {@link #startSentinel}, for a Sentinel that requires a login ({@code requirepass} among the lines). */
    public static RedisServerProcess startSentinelWithLogin(JedisClientConfig login, String... configLines) {
        return startSentinel(LauncherProcess.freePort(), login, List.of(), configLines);
    }

    /**
     * As {@link #startSentinel}, for a Sentinel that speaks only TLS with this certificate on its port, and speaks TLS
     * to the data nodes it monitors (started with {@link #startWithTls}), trusting the same certificate.
     */
    public static RedisServerProcess startSentinelWithTls(SelfSignedCertificate certificate, String... configLines) {
        int port = LauncherProcess.freePort();
        JedisClientConfig tls = DefaultJedisClientConfig.builder()
                .ssl(true).sslSocketFactory(certificate.socketFactory()).build();
        return startSentinel(port, tls, List.of("--port", "0", "--tls-port", String.valueOf(port),
                "--tls-cert-file", certificate.certificatePem().toString(),
                "--tls-key-file", certificate.privateKeyPem().toString(),
                "--tls-ca-cert-file", certificate.certificatePem().toString(),
                "--tls-auth-clients", "no", "--tls-replication", "yes"), configLines);
    }

    private static RedisServerProcess startSentinel(int port, JedisClientConfig login, List<String> args,
            String... configLines) {
        try {
            Path dir = Files.createTempDirectory("redis-sentinel");
            Path config = Files.writeString(dir.resolve("sentinel.conf"), String.join("\n", configLines) + "\n");
            RedisServerProcess sentinel = new RedisServerProcess(port, dir, args, login, config);
            sentinel.startProcess();
            return sentinel;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dir;
    }

    /** A client of the test's own, for looking at keys; opened on first use. */
    public RedisClient client() {
        if (client == null) {
            client = connect();
        }
        return client;
    }

    private RedisClient connect() {
        return RedisClient.builder().hostAndPort("127.0.0.1", port).clientConfig(login).build();
    }

    /** The value of a key as a number, 0 when absent. */
    public long valueOf(String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            try {
                String value = client().get(key);
                return value == null ? 0 : Long.parseLong(value);
            } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                // Redis 7 loads a multi-part append-only file part by part, and INFO can say loading:0 between
                // two parts: a GET then still gets LOADING (seen once in CI). A GET is safe to ask again.
                if (e.getMessage() == null || !e.getMessage().startsWith("LOADING") || System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(20);
            }
        }
    }

    /** Stops Redis the polite way (SIGTERM): it saves what its persistence settings say and exits. */
    public void stop() {
        closeClient();
        process.destroy();
        waitForExit();
    }

    /** Kills Redis with SIGKILL: no chance to save anything. */
    public void kill() {
        closeClient();
        process.destroyForcibly();
        waitForExit();
    }

    /** Freezes Redis (SIGSTOP): connections stay open and nothing answers, as with a hung server. */
    public void pause() {
        signal("STOP");
    }

    /** Lets a paused Redis go on (SIGCONT). */
    public void resume() {
        signal("CONT");
    }

    /** Starts Redis again on the same port and data folder. */
    public void restart() {
        startProcess(List.of());
    }

    /** Starts Redis again on the same port and data folder, as a replica of {@code primary}. */
    public void restartAsReplicaOf(RedisServerProcess primary) {
        startProcess(List.of("--replicaof", "127.0.0.1", String.valueOf(primary.port())));
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        closeClient();
        if (process != null && process.isAlive()) {
            resume();
            process.destroyForcibly();
            waitForExit();
        }
    }

    private void startProcess() {
        startProcess(List.of());
    }

    private void startProcess(List<String> moreArgs) {
        Path binary = sentinelConfig == null ? serverBinary() : sentinelBinary();
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        if (sentinelConfig != null) {
            command.addAll(List.of(sentinelConfig.toString(), "--sentinel"));
        }
        command.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--daemonize", "no", "--protected-mode", "no"));
        command.addAll(extraArgs);
        command.addAll(moreArgs);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            awaitOurServer(binary);
        } catch (RuntimeException e) {
            // Not the server the test asked for, or not answering: no process is left behind for the next test.
            process.destroyForcibly();
            throw e;
        }
    }

    /** Waits for the process we started to answer on the port with its data set loaded. */
    private void awaitOurServer(Path binary) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + log());
            }
            try (RedisClient probe = connect()) {
                String info = probe.info("server");
                if (!info.contains("process_id:" + process.pid() + "\r\n")) {
                    throw new IllegalStateException("another Redis answers on port " + port);
                }
                checkFlavour(binary, info);
                // INFO answers while the append-only file is still loading; GET would get LOADING.
                if (sentinelConfig != null || probe.info("persistence").contains("loading:0\r\n")) {
                    return;
                }
                sleep(20);
            } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
                sleep(20);
            }
        }
        throw new IllegalStateException("redis-server did not answer within 15 s: " + log());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private void signal(String signal) {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                    .inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + signal + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server did not exit");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A server named by {@link #SERVER_PROPERTY} must be what its name says: a run meant for Valkey must never pass
     * against Redis because the wrong binary was found (and the other way round).
     */
    private void checkFlavour(Path binary, String info) {
        if (configured(SERVER_PROPERTY) == null && configured(SENTINEL_PROPERTY) == null) {
            return;
        }
        boolean valkeyAnswers = info.contains("\r\nserver_name:valkey\r\n");
        boolean valkeyNamed = binary.getFileName().toString().startsWith("valkey");
        if (valkeyAnswers != valkeyNamed) {
            throw new IllegalStateException(binary + " started a server whose INFO server says "
                    + (valkeyAnswers ? "server_name:valkey" : "no server_name:valkey") + ": " + info);
        }
        if (ANNOUNCED.add(binary)) {
            String version = info.lines()
                    .filter(line -> line.startsWith(valkeyAnswers ? "valkey_version:" : "redis_version:"))
                    .findFirst().orElse("no version");
            System.out.println("RedisServerProcess: " + binary + " answers "
                    + (valkeyAnswers ? "server_name:valkey " : "") + version);
        }
    }

    private static Path serverBinary() {
        String named = configured(SERVER_PROPERTY);
        if (named != null) {
            return onPath(named, SERVER_PROPERTY);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return BundledBinary.PATH;
    }

    private static Path sentinelBinary() {
        String named = configured(SENTINEL_PROPERTY);
        return named == null ? serverBinary() : onPath(named, SENTINEL_PROPERTY);
    }

    /** The system property, else the environment variable of the same name in capitals ({@code TEST_REDIS_SERVER}). */
    private static String configured(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(property.toUpperCase(Locale.ROOT).replace('.', '_'));
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** A binary named by a setting: a path, or a name looked up on PATH; never a fallback to another server. */
    private static Path onPath(String named, String property) {
        if (named.contains("/")) {
            Path path = Path.of(named);
            if (Files.isExecutable(path)) {
                return path;
            }
        } else {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, named);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException(property + "=" + named + ": no such executable (on PATH or as a path)");
    }

    /** The redis-server binary from the embedded-redis jar, copied out once per test JVM. */
    private static final class BundledBinary {
        static final Path PATH = extract();

        private static Path extract() {
            String arch = System.getProperty("os.arch");
            String os = System.getProperty("os.name").toLowerCase();
            String resource = os.contains("mac")
                    ? (arch.contains("aarch64") ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64")
                    : (arch.contains("aarch64") ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64");
            try (InputStream in = RedisServerProcess.class.getResourceAsStream("/" + resource)) {
                if (in == null) {
                    throw new IllegalStateException("no redis-server on PATH and no bundled " + resource);
                }
                Path target = Files.createTempDirectory("redis-bin").resolve("redis-server");
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                if (!target.toFile().setExecutable(true)) {
                    throw new IllegalStateException("cannot make " + target + " executable");
                }
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
