package dev.hitcounter.counter;

import java.util.Optional;
import java.util.function.Supplier;

import dev.hitcounter.system.Metrics;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
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
    static final long BAD_VALUE_LOG_INTERVAL_MILLIS = 60_000;

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
    private final String where;
    private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP2);
    private final CommandObject<Long> incr;
    private final CommandObject<Long> incrByZero;
    private final CommandObject<Long> waitReplicas;
    private final Replication replication;
    private final Metrics metrics;
    private final RedisOutage outage;
    private final FailureRecord failures;

    /**
     * @param pool the pool to borrow from now: one Redis's, or that of the primary Sentinel names at this moment
     */
    RedisCounter(UnifiedJedis client, Supplier<Pool<Connection>> pool, String key, String where,
            Replication replication, Metrics metrics) {
        this.client = client;
        this.pool = pool;
        this.key = key;
        this.where = where;
        this.incr = commands.incr(key);
        this.incrByZero = commands.incrBy(key, 0);
        this.waitReplicas = commands.waitReplicas(replication.replicas(), replication.waitMillis());
        this.replication = replication;
        this.metrics = metrics;
        // One broken connection usually means all idle ones are (Redis restarted): the outage
        // drops them so that the requests after recovery open fresh ones instead of failing.
        this.outage = new RedisOutage(where, this::isReady, () -> pool.get().clear(), PROBE_INTERVAL_MILLIS);
        this.failures = new FailureRecord(metrics, outage, key);
    }

    @Override
    public long add(int views) throws CounterUnavailableException {
        if (outage.isDown()) {
            throw failures.record(new CounterUnavailableException(CounterUnavailableException.Kind.KNOWN_DOWN,
                    "waiting for Redis to accept writes again"));
        }
        Connection connection = borrow();
        long start = System.nanoTime();
        try (connection) {
            long count;
            try {
                count = connection.executeCommand(views == 1 ? incr : commands.incrBy(key, views));
            } catch (JedisDataException reply) {
                // Redis answered with an error: it counted nothing, and the connection is fine.
                throw failures.record(RedisFailures.refusal(reply));
            }
            if (replication.replicas() > 0) {
                awaitReplicas(connection);
            }
            outage.answered();
            return count;
        } catch (JedisException e) {
            throw failures.record(RedisFailures.mayHaveRun(e));
        } finally {
            metrics.redisCommand(System.nanoTime() - start);
        }
    }

    /** Whether an outage is going on: a command failed and no ping has succeeded since. */
    boolean isKnownDown() {
        return outage.isDown();
    }

    /** One {@code WAIT} for the whole batch: its views are answered 200 only once enough replicas have it. */
    private void awaitReplicas(Connection connection) throws CounterUnavailableException {
        long acknowledged = connection.executeCommand(waitReplicas);
        if (acknowledged < replication.replicas()) {
            throw failures.record(new CounterUnavailableException(CounterUnavailableException.Kind.NOT_REPLICATED,
                    acknowledged + " of the " + replication.replicas() + " replicas required by REDIS_WAIT_REPLICAS"
                            + " acknowledged within " + replication.waitMillis() + " ms"));
        }
    }

    private Connection borrow() throws CounterUnavailableException {
        try {
            return RedisFailures.borrow(pool);
        } catch (CounterUnavailableException e) {
            throw failures.record(e);
        }
    }


    /**
     * Whether a view would be counted now: the primary accepts {@code INCRBY key 0}, a write that changes nothing
     * (a replica after a failover answers READONLY, a full or paused Redis refuses or holds it; a bad value under the
     * key is the operator's to fix and does not make Redis unready), and, with {@code REDIS_WAIT_REPLICAS}, enough
     * replicas acknowledge it. Sent by {@code /readyz} and, during an outage, by its probe.
     */
    @Override
    public boolean isReady() {
        return notReadyBecause().isEmpty();
    }

    /** As {@link #isReady()}, saying what is wrong: refused credentials apart from an outage (issue 21 item 17). */
    @Override
    public Optional<String> notReadyBecause() {
        try (Connection connection = pool.get().getResource()) {
            try {
                connection.executeCommand(incrByZero);
            } catch (JedisDataException reply) {
                if (!RedisFailures.isBadValue(reply.getMessage())) {
                    return Optional.of(RedisFailures.explain(reply, where));
                }
            }
            if (replication.replicas() > 0) {
                long acknowledged = connection.executeCommand(waitReplicas);
                if (acknowledged < replication.replicas()) {
                    return Optional.of(acknowledged + " of the " + replication.replicas()
                            + " replicas required by REDIS_WAIT_REPLICAS acknowledged within "
                            + replication.waitMillis() + " ms");
                }
            }
            outage.answered();
            return Optional.empty();
        } catch (JedisException e) {
            return Optional.of(RedisFailures.explain(e, where));
        }
    }

    @Override
    public void close() {
        outage.close();
        client.close();
    }
}
