package dev.hitcounter.counter;

import java.net.SocketTimeoutException;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

import dev.hitcounter.system.Metrics;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;

/**
 * Counts views with Redis {@code INCR} (or {@code INCRBY} for a coalesced batch) over a pool of connections to the
 * one Redis or to the primary Sentinel names, then, if asked, {@code WAIT}s for replicas to have it; while Redis is
 * known to be down it fails fast.
 *
 * <p>An increment is never retried: once the command is written, Redis may execute it even if
 * the reply is lost, so a retry could count a view twice. Only a failure to get a connection
 * proves that nothing was sent; even then we answer 503 rather than retry, so that a slow Redis
 * costs each request at most one wait.
 */
final class RedisCounter implements Counter {

    static final long PROBE_INTERVAL_MILLIS = 100;

    /**
     * How many replicas must acknowledge an increment before its views are answered ({@code REDIS_WAIT_REPLICAS}, 0:
     * none), and the longest {@code WAIT} for them: below the read timeout, so that Redis answers before the socket
     * gives up.
     */
    record Replication(int replicas, int waitMillis) {

        static final Replication NONE = new Replication(0, 0);
    }

    private final UnifiedJedis client;
    private final Supplier<Pool<Connection>> pool;
    private final String key;
    private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP2);
    private final CommandObject<Long> incr;
    private final CommandObject<Long> waitReplicas;
    private final Replication replication;
    private final Metrics metrics;
    private final RedisOutage outage;

    /**
     * @param pool the pool to borrow from now: one Redis's, or that of the primary Sentinel names at this moment
     */
    RedisCounter(UnifiedJedis client, Supplier<Pool<Connection>> pool, String key, String where,
            Replication replication, Metrics metrics) {
        this.client = client;
        this.pool = pool;
        this.key = key;
        this.incr = commands.incr(key);
        this.waitReplicas = commands.waitReplicas(replication.replicas(), replication.waitMillis());
        this.replication = replication;
        this.metrics = metrics;
        // One broken connection usually means all idle ones are (Redis restarted): the outage
        // drops them so that the requests after recovery open fresh ones instead of failing.
        this.outage = new RedisOutage(where, this::isReady, () -> pool.get().clear(), PROBE_INTERVAL_MILLIS);
    }

    @Override
    public long add(int views) throws CounterUnavailableException {
        if (outage.isDown()) {
            throw failed(new CounterUnavailableException(CounterUnavailableException.Kind.KNOWN_DOWN,
                    "waiting for Redis to answer a ping"));
        }
        Connection connection = borrow();
        long start = System.nanoTime();
        try (connection) {
            long count = connection.executeCommand(views == 1 ? incr : commands.incrBy(key, views));
            if (replication.replicas() > 0) {
                awaitReplicas(connection);
            }
            outage.answered();
            return count;
        } catch (JedisException e) {
            throw failed(new CounterUnavailableException(e.getCause() instanceof SocketTimeoutException
                    ? CounterUnavailableException.Kind.TIMEOUT
                    : CounterUnavailableException.Kind.BROKEN, e));
        } finally {
            metrics.redisCommand(System.nanoTime() - start);
        }
    }

    /** One {@code WAIT} for the whole batch: its views are answered 200 only once enough replicas have it. */
    private void awaitReplicas(Connection connection) throws CounterUnavailableException {
        long acknowledged = connection.executeCommand(waitReplicas);
        if (acknowledged < replication.replicas()) {
            throw failed(new CounterUnavailableException(CounterUnavailableException.Kind.NOT_REPLICATED,
                    acknowledged + " of the " + replication.replicas() + " replicas required by REDIS_WAIT_REPLICAS"
                            + " acknowledged within " + replication.waitMillis() + " ms"));
        }
    }

    private Connection borrow() throws CounterUnavailableException {
        try {
            return pool.get().getResource();
        } catch (JedisException e) {
            throw failed(new CounterUnavailableException(e.getCause() instanceof NoSuchElementException
                    ? CounterUnavailableException.Kind.POOL_EXHAUSTED
                    : CounterUnavailableException.Kind.CONNECT, e));
        }
    }

    private CounterUnavailableException failed(CounterUnavailableException failure) {
        metrics.redisError(failure.kind().name().toLowerCase(java.util.Locale.ROOT));
        // An exhausted pool says the app is busy, not that Redis is down.
        if (failure.kind() != CounterUnavailableException.Kind.POOL_EXHAUSTED) {
            outage.failed(failure);
        }
        return failure;
    }

    /** Whether the primary answers a ping and, with {@code REDIS_WAIT_REPLICAS}, enough replicas follow it. */
    @Override
    public boolean isReady() {
        try {
            boolean ready = "PONG".equals(client.ping())
                    && (replication.replicas() == 0 || client.executeCommand(waitReplicas) >= replication.replicas());
            if (ready) {
                outage.answered();
            }
            return ready;
        } catch (JedisException e) {
            return false;
        }
    }

    @Override
    public void close() {
        outage.close();
        client.close();
    }
}
