package dev.hitcounter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.SafeEncoder;

/**
 * A real Redis Cluster that a test starts and stops: six {@code redis-server} processes (the one on PATH, or the
 * binary in the {@code embedded-redis} jar, as {@link RedisServerProcess} finds it) with {@code --cluster-enabled yes}
 * and a {@code cluster-node-timeout} of 1000 ms on free ports (each node's cluster bus listens on its port + 10000),
 * joined by {@code redis-cli --cluster create … --cluster-replicas 1} (or, where there is no redis-cli, as the image's
 * test stage has none, by the same steps sent as commands: ADDSLOTS, MEET, REPLICATE): 3 primaries and 3 replicas.
 * It can move a slot to another primary (CLUSTER SETSLOT and MIGRATE) and SIGKILL a node.
 */
public final class RedisClusterProcess implements AutoCloseable {

    public static final int NODES = 6;
    private static final int BUS_OFFSET = 10_000;
    private static final String USER = "counter";
    private static final String PASSWORD = "cluster-secret";

    private final List<Node> nodes = new ArrayList<>();
    private final SelfSignedCertificate certificate;
    private RedisClusterClient client;

    /** One node: its process, port and folder. */
    public static final class Node {
        private final int port;
        private final Path dir;
        private final Process process;

        Node(int port, Path dir, Process process) {
            this.port = port;
            this.dir = dir;
            this.process = process;
        }

        public int port() {
            return port;
        }

        public boolean isRunning() {
            return process.isAlive();
        }
    }

    private RedisClusterProcess(SelfSignedCertificate certificate) {
        this.certificate = certificate;
    }

    /** Starts a cluster that speaks plain TCP, without a login. */
    public static RedisClusterProcess start() {
        return start(null);
    }

    /**
     * Starts a cluster that speaks only TLS with this certificate, on client ports, the cluster bus and replication
     * ({@code tls-cluster yes}), with the ACL user {@link #user()} / {@link #password()} beside the default user.
     */
    public static RedisClusterProcess startWithTls(SelfSignedCertificate certificate) {
        return start(certificate);
    }

    private static RedisClusterProcess start(SelfSignedCertificate certificate) {
        RedisClusterProcess cluster = new RedisClusterProcess(certificate);
        try {
            int base = freeBasePort();
            for (int i = 0; i < NODES; i++) {
                cluster.nodes.add(cluster.startNode(base + i));
            }
            cluster.create();
            cluster.awaitHealthy();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    public static String user() {
        return USER;
    }

    public static String password() {
        return PASSWORD;
    }

    /** The URL of one node, as {@code REDIS_URL} names a seed node: {@code redis://} or {@code rediss://}. */
    public String seedUrl() {
        return (certificate == null ? "redis://" : "rediss://") + "127.0.0.1:" + nodes.get(0).port;
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The test's own cluster client, for looking at keys; opened on first use. */
    public RedisClusterClient client() {
        if (client == null) {
            Set<HostAndPort> seeds = new HashSet<>();
            for (Node node : nodes) {
                if (node.isRunning()) {
                    seeds.add(new HostAndPort("127.0.0.1", node.port));
                }
            }
            client = RedisClusterClient.builder().nodes(seeds).clientConfig(login()).build();
        }
        return client;
    }

    /** The value of a key as a number, 0 when absent. */
    public long valueOf(String key) {
        String value = client().get(key);
        return value == null ? 0 : Long.parseLong(value);
    }

    /** The hash slot of a key. */
    public int slotOf(String key) {
        try (RedisClient redis = node(running().port)) {
            return (int) (long) (Long) redis.sendCommand(Command.CLUSTER, "KEYSLOT", key);
        }
    }

    /** The port of the primary that serves a slot, as the running nodes see it now. */
    public int primaryOf(int slot) {
        for (String line : clusterNodes(running().port)) {
            String[] fields = line.split(" ");
            if (!fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < fields.length; i++) {
                String range = fields[i];
                if (range.startsWith("[")) {
                    continue;
                }
                String[] bounds = range.split("-");
                int from = Integer.parseInt(bounds[0]);
                int to = Integer.parseInt(bounds[bounds.length - 1]);
                if (slot >= from && slot <= to) {
                    return portOf(fields[1]);
                }
            }
        }
        throw new IllegalStateException("no primary serves slot " + slot);
    }

    /** The ports of the running primaries. */
    public List<Integer> primaries() {
        List<Integer> ports = new ArrayList<>();
        for (String line : clusterNodes(running().port)) {
            String[] fields = line.split(" ");
            if (fields[2].contains("master") && !fields[2].contains("fail")) {
                ports.add(portOf(fields[1]));
            }
        }
        return ports;
    }

    /**
     * Moves a slot and its keys from its primary to the primary on {@code toPort}, one key per MIGRATE with a pause
     * before each step, so that clients meet ASK while it migrates and MOVED afterwards.
     */
    public void moveSlot(int slot, int toPort, long pauseMillis) {
        int fromPort = primaryOf(slot);
        if (fromPort == toPort) {
            throw new IllegalArgumentException("slot " + slot + " is on " + toPort + " already");
        }
        try (RedisClient from = node(fromPort); RedisClient to = node(toPort)) {
            String fromId = myId(from);
            String toId = myId(to);
            to.sendCommand(Command.CLUSTER, "SETSLOT", String.valueOf(slot), "IMPORTING", fromId);
            from.sendCommand(Command.CLUSTER, "SETSLOT", String.valueOf(slot), "MIGRATING", toId);
            sleep(pauseMillis);
            while (true) {
                List<String> keys = strings(from.sendCommand(Command.CLUSTER, "GETKEYSINSLOT", String.valueOf(slot), "1"));
                if (keys.isEmpty()) {
                    break;
                }
                List<String> migrate = new ArrayList<>(List.of("127.0.0.1", String.valueOf(toPort), "", "0", "5000"));
                if (certificate != null) {
                    migrate.addAll(List.of("AUTH2", USER, PASSWORD));
                }
                migrate.add("KEYS");
                migrate.addAll(keys);
                from.sendCommand(Command.MIGRATE, migrate.toArray(String[]::new));
                sleep(pauseMillis);
            }
            to.sendCommand(Command.CLUSTER, "SETSLOT", String.valueOf(slot), "NODE", toId);
            from.sendCommand(Command.CLUSTER, "SETSLOT", String.valueOf(slot), "NODE", toId);
            for (int port : primaries()) {
                if (port != fromPort && port != toPort) {
                    try (RedisClient other = node(port)) {
                        other.sendCommand(Command.CLUSTER, "SETSLOT", String.valueOf(slot), "NODE", toId);
                    }
                }
            }
        }
    }

    /** Kills the node on this port with SIGKILL. */
    public void kill(int port) {
        for (Node node : nodes) {
            if (node.port == port) {
                node.process.destroyForcibly();
                waitFor(node.process);
                return;
            }
        }
        throw new IllegalArgumentException("no node on " + port);
    }

    /** Waits until every running node says the cluster is ok and a running primary serves {@code slot}. */
    public void awaitPrimaryFor(int slot, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                if (allOk() && isRunning(primaryOf(slot))) {
                    return;
                }
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cluster did not recover: " + logs());
            }
            sleep(50);
        }
    }

    private boolean isRunning(int port) {
        return nodes.stream().anyMatch(node -> node.port == port && node.isRunning());
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        for (Node node : nodes) {
            node.process.destroyForcibly();
        }
        for (Node node : nodes) {
            waitFor(node.process);
        }
    }

    private Node startNode(int port) {
        try {
            Path dir = Files.createTempDirectory("redis-cluster-" + port);
            List<String> command = new ArrayList<>(List.of(serverBinary().toString(),
                    "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "no",
                    "--save", "", "--appendonly", "no",
                    "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString(),
                    "--cluster-node-timeout", "1000"));
            if (certificate == null) {
                command.addAll(List.of("--port", String.valueOf(port)));
            } else {
                command.addAll(List.of("--port", "0", "--tls-port", String.valueOf(port),
                        "--tls-cert-file", certificate.certificatePem().toString(),
                        "--tls-key-file", certificate.privateKeyPem().toString(),
                        "--tls-ca-cert-file", certificate.certificatePem().toString(),
                        "--tls-auth-clients", "no", "--tls-cluster", "yes", "--tls-replication", "yes",
                        "--user", USER, "on", ">" + PASSWORD, "~*", "&*", "+@all"));
            }
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                    .start();
            Node node = new Node(port, dir, process);
            awaitAnswer(node);
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void create() {
        Path cli = onPath("redis-cli");
        if (cli == null) {
            createByCommands();
            return;
        }
        List<String> command = new ArrayList<>(List.of(cli.toString()));
        if (certificate != null) {
            command.addAll(List.of("--tls", "--cacert", certificate.certificatePem().toString()));
        }
        command.addAll(List.of("--cluster", "create"));
        for (Node node : nodes) {
            command.add("127.0.0.1:" + node.port);
        }
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        try {
            Process create = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What {@code redis-cli --cluster create --cluster-replicas 1} does: slots to the first three, the rest replicas. */
    private void createByCommands() {
        int perPrimary = 16384 / 3;
        for (int i = 0; i < 3; i++) {
            int from = i * perPrimary;
            int to = i == 2 ? 16383 : from + perPrimary - 1;
            List<String> args = new ArrayList<>(List.of("ADDSLOTS"));
            for (int slot = from; slot <= to; slot++) {
                args.add(String.valueOf(slot));
            }
            try (RedisClient primary = node(nodes.get(i).port)) {
                primary.sendCommand(Command.CLUSTER, args.toArray(String[]::new));
            }
        }
        try (RedisClient first = node(nodes.get(0).port)) {
            for (Node other : nodes.subList(1, NODES)) {
                first.sendCommand(Command.CLUSTER, "MEET", "127.0.0.1", String.valueOf(other.port));
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int i = 3; i < NODES; i++) {
            String primaryId;
            try (RedisClient primary = node(nodes.get(i - 3).port)) {
                primaryId = myId(primary);
            }
            try (RedisClient replica = node(nodes.get(i).port)) {
                while (true) {
                    try {
                        replica.sendCommand(Command.CLUSTER, "REPLICATE", primaryId);
                        break;
                    } catch (JedisException e) {
                        // "Unknown node": the MEET has not reached this node yet.
                        if (System.nanoTime() > deadline) {
                            throw e;
                        }
                        sleep(50);
                    }
                }
            }
        }
    }

    /** Every node says cluster_state:ok and knows all six, and each primary has its replica. */
    private void awaitHealthy() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (allOk() && primaries().size() == 3 && replicasInSync() == 3) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("the cluster did not become ok within 30 s: " + logs());
    }

    private boolean allOk() {
        for (Node node : nodes) {
            if (!node.isRunning()) {
                continue;
            }
            try (RedisClient redis = node(node.port)) {
                String info = SafeEncoder.encode((byte[]) redis.sendCommand(Command.CLUSTER, "INFO"));
                if (!info.contains("cluster_state:ok")) {
                    return false;
                }
            } catch (JedisException e) {
                return false;
            }
        }
        return true;
    }

    private int replicasInSync() {
        int synced = 0;
        for (Node node : nodes) {
            try (RedisClient redis = node(node.port)) {
                String info = redis.info("replication");
                if (info.contains("role:slave") && info.contains("master_link_status:up")) {
                    synced++;
                }
            } catch (JedisException e) {
                // not up yet
            }
        }
        return synced;
    }

    private List<String> clusterNodes(int port) {
        try (RedisClient redis = node(port)) {
            return List.of(SafeEncoder.encode((byte[]) redis.sendCommand(Command.CLUSTER, "NODES")).split("\n"));
        }
    }

    private Node running() {
        for (Node node : nodes) {
            if (node.isRunning()) {
                return node;
            }
        }
        throw new IllegalStateException("no node runs");
    }

    private static String myId(RedisClient redis) {
        return SafeEncoder.encode((byte[]) redis.sendCommand(Command.CLUSTER, "MYID"));
    }

    private static List<String> strings(Object reply) {
        List<String> strings = new ArrayList<>();
        for (Object item : (List<?>) reply) {
            strings.add(SafeEncoder.encode((byte[]) item));
        }
        return strings;
    }

    private static int portOf(String address) {
        // ip:port@busport[,hostname]
        String hostPort = address.split("@")[0];
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private RedisClient node(int port) {
        return RedisClient.builder().hostAndPort("127.0.0.1", port).clientConfig(login()).build();
    }

    private JedisClientConfig login() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder();
        if (certificate != null) {
            config.ssl(true).sslSocketFactory(certificate.socketFactory()).user(USER).password(PASSWORD);
        }
        return config.build();
    }

    private void awaitAnswer(Node node) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.process.isAlive()) {
                throw new IllegalStateException("redis-server on " + node.port + " exited: " + log(node));
            }
            try (RedisClient probe = node(node.port)) {
                if (probe.info("server").contains("process_id:" + node.process.pid() + "\r\n")) {
                    return;
                }
                throw new IllegalStateException("another Redis answers on port " + node.port);
            } catch (JedisException e) {
                sleep(20);
            }
        }
        throw new IllegalStateException("redis-server on " + node.port + " did not answer within 15 s");
    }

    private String logs() {
        StringBuilder all = new StringBuilder();
        for (Node node : nodes) {
            all.append("\n--- node ").append(node.port).append(":\n").append(log(node));
        }
        return all.toString();
    }

    private static String log(Node node) {
        try {
            return Files.readString(node.dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** A first port with the next five free, and their bus ports (+10000) too, all below 55535. */
    private static int freeBasePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 45_000);
            boolean free = true;
            for (int i = 0; i < NODES && free; i++) {
                free = isFree(base + i) && isFree(base + i + BUS_OFFSET);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free ports for a cluster");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static Path serverBinary() {
        Path onPath = onPath("redis-server");
        return onPath != null ? onPath : BundledBinary.PATH;
    }

    /** The redis-server binary from the embedded-redis jar (Linux), copied out once per test JVM. */
    private static final class BundledBinary {
        static final Path PATH = extract();

        private static Path extract() {
            String resource = System.getProperty("os.arch").contains("aarch64")
                    ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
            try (java.io.InputStream in = RedisClusterProcess.class.getResourceAsStream("/" + resource)) {
                if (in == null) {
                    throw new IllegalStateException("no redis-server on PATH and no bundled " + resource);
                }
                Path target = Files.createTempDirectory("redis-cluster-bin").resolve("redis-server");
                Files.copy(in, target);
                if (!target.toFile().setExecutable(true)) {
                    throw new IllegalStateException("cannot make " + target + " executable");
                }
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    private enum Command implements ProtocolCommand {
        CLUSTER, MIGRATE;

        @Override
        public byte[] getRaw() {
            return SafeEncoder.encode(name());
        }
    }
}
