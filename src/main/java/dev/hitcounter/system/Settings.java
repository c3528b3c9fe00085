package dev.hitcounter.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.InvalidPathException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.hitcounter.tomcat.RequestThreads;

/**
 * Every setting of the app, read once from environment variables and checked before anything starts.
 *
 * @param port            TCP port of the embedded launcher ({@code PORT}, 0 picks a free one)
 * @param redis           where Redis is ({@code REDIS_URL} and {@code REDIS_PASSWORD_FILE}); empty with no sentinels
 *                        means count in memory
 * @param sentinels       the Sentinels that name the Redis primary ({@code REDIS_SENTINELS}, {@code
 *                        REDIS_SENTINEL_MASTER}, {@code REDIS_PASSWORD_FILE}, {@code REDIS_SENTINEL_PASSWORD_FILE},
 *                        {@code REDIS_SENTINEL_TLS}); never together with {@code redis}
 * @param cluster         whether {@code redis} is a seed node of a Redis Cluster ({@code REDIS_CLUSTER})
 * @param counterKey      the Redis key that holds the count ({@code COUNTER_KEY})
 * @param poolSize        most Redis connections at once ({@code REDIS_POOL_SIZE})
 * @param poolWaitMillis  longest wait for a free pooled connection ({@code REDIS_POOL_WAIT_MS})
 * @param connectTimeoutMillis longest wait to open a connection ({@code REDIS_CONNECT_TIMEOUT_MS})
 * @param readTimeoutMillis    longest wait for a Redis reply ({@code REDIS_READ_TIMEOUT_MS})
 * @param coalesce        whether concurrent views share one Redis round trip ({@code REDIS_COALESCE})
 * @param waitReplicas    replicas that must have each increment before its views are answered
 *                        ({@code REDIS_WAIT_REPLICAS}, 0: none)
 * @param requestThreads  Tomcat's request threads in the embedded launcher ({@code REQUEST_THREADS})
 * @param pages           the settings of counting any page: badges, the JSON API, unique visitors
 * @param accessLog       Tomcat's access log in JSON lines on standard output ({@code ACCESS_LOG})
 * @param owner           the settings of the owner's side: the admin token, who may see {@code /stats}
 */
public record Settings(
        int port,
        Optional<RedisEndpoint> redis,
        String counterKey,
        int poolSize,
        int poolWaitMillis,
        int connectTimeoutMillis,
        int readTimeoutMillis,
        boolean coalesce,
        Optional<RedisSentinels> sentinels,
        boolean cluster,
        int waitReplicas,
        int requestThreads,
        PageSettings pages,
        boolean accessLog,
        OwnerSettings owner) {

    /** The default number of pooled connections: Tomcat's default number of request threads. */
    static final int DEFAULT_POOL_SIZE = 200;

    /** Reads and checks every setting; throws {@link SettingsException} naming the first bad one. */
    public static Settings from(Map<String, String> env) {
        Optional<RedisSentinels> sentinels = sentinels(env);
        Optional<RedisEndpoint> redis = redis(env, sentinels.isPresent());
        boolean usesRedis = redis.isPresent() || sentinels.isPresent();
        boolean coalesce = Variables.flag(env, "REDIS_COALESCE", true);
        int waitReplicas = Variables.number(env, "REDIS_WAIT_REPLICAS", 0, 0, 100);
        if (waitReplicas > 0 && !usesRedis) {
            throw new SettingsException("REDIS_WAIT_REPLICAS is set but neither REDIS_URL nor REDIS_SENTINELS is: "
                    + "replicas exist only for a Redis");
        }
        boolean cluster = cluster(env, redis, waitReplicas);
        int threads = RequestThreads.byDefault(Runtime.getRuntime().availableProcessors(), usesRedis && !coalesce);
        return new Settings(
                Variables.number(env, "PORT", 8080, 0, 65535),
                redis,
                counterKey(env),
                Variables.number(env, "REDIS_POOL_SIZE", DEFAULT_POOL_SIZE, 1, 10_000),
                Variables.number(env, "REDIS_POOL_WAIT_MS", 50, 0, 60_000),
                Variables.number(env, "REDIS_CONNECT_TIMEOUT_MS", 250, 1, 60_000),
                Variables.number(env, "REDIS_READ_TIMEOUT_MS", 250, 1, 60_000),
                coalesce,
                sentinels,
                cluster,
                waitReplicas,
                Variables.number(env, RequestThreads.VARIABLE, threads, 1, 10_000),
                PageSettings.from(env),
                Variables.flag(env, "ACCESS_LOG", false),
                OwnerSettings.from(env));
    }

    /** Whether views are counted in Redis, reached directly or through Sentinel. */
    public boolean usesRedis() {
        return redis.isPresent() || sentinels.isPresent();
    }

    /**
     * How long a request may wait for the counter store before it is answered 503 regardless: two
     * of its slowest round trips (an asynchronous view may wait for the batch in flight before its
     * own is sent), plus a second for a busy machine. Every wait inside is bounded already; this
     * is the backstop.
     */
    public long answerTimeoutMillis() {
        return 2L * (poolWaitMillis + connectTimeoutMillis + readTimeoutMillis * (waitReplicas > 0 ? 2L : 1L)) + 1_000;
    }

    /** One line with every effective setting, fit for a log: the password is never shown. */
    public String describe() {
        String store = redis.map(endpoint -> (cluster ? "the Redis Cluster seeded by " : "Redis at ") + endpoint)
                .or(() -> sentinels.map(named -> "Redis: " + named))
                .orElse("memory (REDIS_URL unset)");
        return "counting in " + store
                + ", COUNTER_KEY=" + counterKey
                + ", REDIS_POOL_SIZE=" + poolSize
                + ", REDIS_POOL_WAIT_MS=" + poolWaitMillis
                + ", REDIS_CONNECT_TIMEOUT_MS=" + connectTimeoutMillis
                + ", REDIS_READ_TIMEOUT_MS=" + readTimeoutMillis
                + ", REDIS_COALESCE=" + coalesce
                + ", REDIS_WAIT_REPLICAS=" + waitReplicas
                + ", REQUEST_THREADS=" + requestThreads
                + ", " + pages.describe(usesRedis())
                + ", ACCESS_LOG=" + accessLog
                + ", " + owner.describe();
    }

    private static Optional<RedisSentinels> sentinels(Map<String, String> env) {
        String list = Variables.value(env, "REDIS_SENTINELS");
        String master = Variables.value(env, "REDIS_SENTINEL_MASTER");
        if (list == null) {
            for (String variable : List.of("REDIS_SENTINEL_MASTER", "REDIS_SENTINEL_PASSWORD_FILE",
                    "REDIS_SENTINEL_TLS")) {
                if (Variables.value(env, variable) != null) {
                    throw new SettingsException(variable + " is set but REDIS_SENTINELS is not: "
                            + "set REDIS_SENTINELS=host:26379,host:26379,... as well, or unset " + variable);
                }
            }
            return Optional.empty();
        }
        if (Variables.value(env, "REDIS_URL") != null) {
            throw new SettingsException("REDIS_URL and REDIS_SENTINELS are both set: "
                    + "set REDIS_URL for one Redis, or REDIS_SENTINELS for a primary that Sentinel names, not both");
        }
        if (master != null && !master.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new SettingsException("REDIS_SENTINEL_MASTER", master,
                    "the name the Sentinels monitor the primary under: 1-64 letters, digits, '.', '_' or '-' "
                            + "(default mymaster)");
        }
        RedisSentinels sentinels = RedisSentinels.parse("REDIS_SENTINELS", list, master == null ? "mymaster" : master);
        String passwordFile = Variables.value(env, "REDIS_PASSWORD_FILE");
        if (passwordFile != null) {
            sentinels = sentinels.withPassword(readPassword("REDIS_PASSWORD_FILE", passwordFile, "the Redis password"));
        }
        String sentinelPasswordFile = Variables.value(env, "REDIS_SENTINEL_PASSWORD_FILE");
        if (sentinelPasswordFile != null) {
            sentinels = sentinels.withSentinelPassword(readPassword("REDIS_SENTINEL_PASSWORD_FILE",
                    sentinelPasswordFile, "the Sentinels' password (their requirepass)"));
        }
        return Optional.of(sentinels.withTls(Variables.flag(env, "REDIS_SENTINEL_TLS", false)));
    }

    /**
     * {@code REDIS_CLUSTER}: only with {@code REDIS_URL}, whose database must be 0 (a cluster has no other), and without
     * {@code REDIS_WAIT_REPLICAS}, since the cluster client answers no {@code WAIT} on the connection that wrote.
     */
    private static boolean cluster(Map<String, String> env, Optional<RedisEndpoint> redis, int waitReplicas) {
        if (!Variables.flag(env, "REDIS_CLUSTER", false)) {
            return false;
        }
        if (redis.isEmpty()) {
            throw new SettingsException("REDIS_CLUSTER=true but REDIS_URL is not set: set REDIS_URL=redis://host:port "
                    + "to one node of the cluster or the service's discovery endpoint (not REDIS_SENTINELS)");
        }
        if (redis.get().database() != 0) {
            throw new SettingsException("REDIS_URL names database " + redis.get().database()
                    + " but REDIS_CLUSTER=true: a Redis Cluster has database 0 only; drop the /"
                    + redis.get().database() + " from REDIS_URL");
        }
        if (waitReplicas > 0) {
            throw new SettingsException("REDIS_WAIT_REPLICAS=" + waitReplicas + " is not supported with "
                    + "REDIS_CLUSTER=true: unset REDIS_WAIT_REPLICAS (see docs/scaling.md, Redis Cluster)");
        }
        return true;
    }

    private static Optional<RedisEndpoint> redis(Map<String, String> env, boolean sentinels) {
        String url = Variables.value(env, "REDIS_URL");
        String passwordFile = Variables.value(env, "REDIS_PASSWORD_FILE");
        if (url == null) {
            if (passwordFile != null && !sentinels) {
                throw new SettingsException("REDIS_PASSWORD_FILE is set but REDIS_URL is not: "
                        + "set REDIS_URL=redis://host:port (or REDIS_SENTINELS) to use Redis, or unset REDIS_PASSWORD_FILE");
            }
            return Optional.empty();
        }
        RedisEndpoint endpoint = RedisEndpoint.parse("REDIS_URL", url);
        if (passwordFile == null) {
            return Optional.of(endpoint);
        }
        if (endpoint.password() != null) {
            throw new SettingsException("REDIS_URL has a password and REDIS_PASSWORD_FILE is set: "
                    + "give the password in one of them only");
        }
        return Optional.of(endpoint.withPassword(
                readPassword("REDIS_PASSWORD_FILE", passwordFile, "the Redis password")));
    }

    private static String readPassword(String variable, String file, String what) {
        String expected = "a readable file holding " + what + " (a Docker secret, e.g. /run/secrets/redis-password)";
        try {
            String password = Files.readString(Path.of(file)).strip();
            if (password.isEmpty()) {
                throw new SettingsException(variable, file, expected + ", not an empty one");
            }
            return password;
        } catch (IOException | InvalidPathException e) {
            throw new SettingsException(variable, file, expected);
        }
    }

    private static String counterKey(Map<String, String> env) {
        String key = Variables.value(env, "COUNTER_KEY");
        if (key == null) {
            return "views";
        }
        if (key.length() > 512 || !key.matches("[\\p{Graph}]+")) {
            throw new SettingsException("COUNTER_KEY", key,
                    "a Redis key of 1-512 visible ASCII characters without spaces, e.g. views");
        }
        return key;
    }
}
