package dev.hitcounter.counter;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.hitcounter.system.Metrics;
import dev.hitcounter.system.RedisEndpoint;
import dev.hitcounter.system.RedisSentinels;
import dev.hitcounter.system.Settings;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.util.Pool;

/**
 * Builds the {@link RedisCounter} the settings ask for: over one pooled Redis ({@code REDIS_URL}), or over the pool
 * of the primary that Redis Sentinel names ({@code REDIS_SENTINELS}), which Jedis moves to the promoted replica when
 * the Sentinels announce a failover; or, with {@code REDIS_CLUSTER}, the counter of {@link RedisClusterClients}.
 */
public final class RedisClients {

    /** How often the Sentinels are asked again while none of them has answered yet. */
    static final long DISCOVERY_RETRY_MILLIS = 500;

    private RedisClients() {
    }

    /**
     * The counter of {@code GET /} in Redis and where the app's other Redis stores send their commands.
     *
     * @param commands over the counter's pool, or its cluster; while the counter knows Redis is down, or no Sentinel
     *                 has named a primary (it asks them then), nothing is sent, as with a pool that cannot connect
     */
    public record RedisStore(Counter counter, RedisCommands commands) {
    }

    /** The Redis store for these settings, which must name a Redis ({@link Settings#usesRedis()}). */
    public static RedisStore store(Settings settings, Metrics metrics) {
        if (settings.cluster()) {
            return RedisClusterClients.store(settings, settings.redis().orElseThrow(), metrics);
        }
        if (settings.sentinels().isPresent()) {
            return sentineled(settings, settings.sentinels().get(), metrics);
        }
        return single(settings, settings.redis().orElseThrow(), metrics);
    }

    private static RedisStore single(Settings settings, RedisEndpoint endpoint, Metrics metrics) {
        DefaultJedisClientConfig.Builder config = clientConfig(settings).database(endpoint.database());
        if (endpoint.password() != null) {
            config.user(endpoint.user()).password(endpoint.password());
        }
        if (endpoint.tls()) {
            verifiedTls(config);
        }
        RedisClient client = RedisClient.builder()
                .hostAndPort(endpoint.host(), endpoint.port())
                .clientConfig(config.build())
                .poolConfig(poolConfig(settings))
                .build();
        RedisCounter counter = counter(settings, client, client::getPool, endpoint.toString(), metrics);
        RedisStartupCheck.log(counter, endpoint.toString());
        return new RedisStore(counter, RedisCommands.pooled(new StorePool(client::getPool, counter::isKnownDown)));
    }

    private static RedisStore sentineled(Settings settings, RedisSentinels sentinels, Metrics metrics) {
        DefaultJedisClientConfig.Builder config = clientConfig(settings);
        if (sentinels.password() != null) {
            config.password(sentinels.password());
        }
        DefaultJedisClientConfig.Builder sentinelConfig = clientConfig(settings);
        if (sentinels.sentinelPassword() != null) {
            sentinelConfig.password(sentinels.sentinelPassword());
        }
        if (sentinels.tls()) {
            verifiedTls(config);
            verifiedTls(sentinelConfig);
        }
        Set<HostAndPort> addresses = new LinkedHashSet<>();
        sentinels.sentinels().forEach(address -> addresses.add(new HostAndPort(address.host(), address.port())));
        AtomicReference<RedisSentinelClient> discovered = new AtomicReference<>();
        // Jedis replaces the primary's pool when the Sentinels announce a new primary: ask for the current one.
        Supplier<Pool<Connection>> pool = () -> {
            RedisSentinelClient client = discovered.get();
            if (client == null) {
                throw new JedisConnectionException("no Sentinel has named the primary yet: " + sentinels);
            }
            return client.getPrimaryNodesConnectionMap().values().iterator().next();
        };
        DiscoveringCounter counter = new DiscoveringCounter(() -> {
            RedisSentinelClient client = RedisSentinelClient.builder()
                    .masterName(sentinels.master())
                    .sentinels(addresses)
                    .clientConfig(config.build())
                    .sentinelClientConfig(sentinelConfig.build())
                    .poolConfig(poolConfig(settings))
                    .build();
            discovered.set(client);
            return counter(settings, client, pool, sentinels.toString(), metrics);
        }, sentinels.toString(), DISCOVERY_RETRY_MILLIS, System::nanoTime, metrics);
        return new RedisStore(counter, RedisCommands.pooled(new StorePool(pool, counter::isKnownDown)));
    }

    private static RedisCounter counter(Settings settings, UnifiedJedis client,
            Supplier<Pool<Connection>> pool, String where, Metrics metrics) {
        metrics.watchPool(() -> pool.get().getNumActive(), () -> pool.get().getNumIdle());
        return new RedisCounter(client, pool, settings.counterKey(), where,
                new RedisCounter.Replication(settings.waitReplicas(), settings.readTimeoutMillis() / 2), metrics);
    }

    static DefaultJedisClientConfig.Builder clientConfig(Settings settings) {
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(settings.connectTimeoutMillis())
                .socketTimeoutMillis(settings.readTimeoutMillis())
                // No HELLO and no CLIENT SETINFO: a new connection costs no round trip before the
                // INCR, which keeps a request within one read timeout even when Redis hangs.
                .serverDefaultProtocol()
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
    }

    /** The JVM's trust store and full host-name verification, as for any TLS client. */
    static void verifiedTls(DefaultJedisClientConfig.Builder config) {
        config.sslOptions(SslOptions.builder().sslVerifyMode(SslVerifyMode.FULL).build());
    }

    static ConnectionPoolConfig poolConfig(Settings settings) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(settings.poolSize());
        pool.setMaxIdle(settings.poolSize());
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        // Jedis's default waits forever for a free connection; every wait here is bounded.
        pool.setMaxWait(Duration.ofMillis(settings.poolWaitMillis()));
        // /metrics reports the pool; a JMX MBean per pool would only add start-up time.
        pool.setJmxEnabled(false);
        return pool;
    }
}
