package dev.hitcounter.counter;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import dev.hitcounter.system.Metrics;
import dev.hitcounter.system.RedisEndpoint;
import dev.hitcounter.system.Settings;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * Builds the store of a Redis Cluster ({@code REDIS_CLUSTER=true}, {@code REDIS_URL} naming one node or the service's
 * discovery endpoint): Jedis's own {@link RedisClusterClient}, which learns the other nodes and the map of slots from
 * it, follows {@code MOVED} and {@code ASK} and renews the map by itself, with the executor that never sends a command
 * twice; the same login, TLS checks, pool and timeouts as one Redis.
 */
final class RedisClusterClients {

    /**
     * Tries per command: a connection failure and one more try (after which Jedis renews its map of slots), or one
     * {@code MOVED} or {@code ASK} followed; never a second send. From three on, Jedis pauses up to the whole time left
     * between tries, which kept views waiting during a failover instead of answering 503 at once.
     */
    static final int MAX_ATTEMPTS = 2;

    private RedisClusterClients() {
    }

    static RedisClients.RedisStore store(Settings settings, RedisEndpoint seed, Metrics metrics) {
        DefaultJedisClientConfig.Builder config = RedisClients.clientConfig(settings);
        if (seed.password() != null) {
            config.user(seed.user()).password(seed.password());
        }
        if (seed.tls()) {
            RedisClients.verifiedTls(config);
        }
        JedisClientConfig clientConfig = config.build();
        String where = "the Redis Cluster seeded by " + seed;
        // Every attempt, with Jedis's pauses between them, ends within one connect and one read timeout.
        Duration retries = Duration.ofMillis(settings.connectTimeoutMillis() + settings.readTimeoutMillis());
        AtomicReference<RedisClusterClient> discovered = new AtomicReference<>();
        metrics.watchPool(() -> sum(discovered.get(), true), () -> sum(discovered.get(), false));
        DiscoveringCounter counter = new DiscoveringCounter(() -> {
            Set<HostAndPort> seeds = Set.of(new HostAndPort(seed.host(), seed.port()));
            // No periodic refresh: its thread outlives close() for a moment, which a standalone Tomcat reports as a
            // leak; the map is renewed after every MOVED and after a node fails to answer.
            ClusterConnectionProvider provider = new ClusterConnectionProvider(seeds, clientConfig,
                    RedisClients.poolConfig(settings));
            RedisClusterClient client;
            try {
                client = RedisClusterClient.builder()
                        .nodes(seeds)
                        .clientConfig(clientConfig)
                        .connectionProvider(provider)
                        .commandExecutor(new SendOnceClusterExecutor(provider, MAX_ATTEMPTS, retries))
                        .build();
            } catch (RuntimeException e) {
                provider.close();
                throw e;
            }
            discovered.set(client);
            return new RedisClusterCounter(client, settings.counterKey(), where, metrics);
        }, where, RedisClients.DISCOVERY_RETRY_MILLIS, System::nanoTime, metrics);
        return new RedisClients.RedisStore(counter, new ClusterCommands(discovered::get, counter::isKnownDown));
    }

    /** The active (or idle) connections of all nodes' pools. */
    private static int sum(RedisClusterClient client, boolean active) {
        if (client == null) {
            return 0;
        }
        int sum = 0;
        for (ConnectionPool pool : client.getClusterNodes().values()) {
            sum += active ? pool.getNumActive() : pool.getNumIdle();
        }
        return sum;
    }
}
