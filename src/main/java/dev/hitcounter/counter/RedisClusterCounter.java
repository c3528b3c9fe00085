package dev.hitcounter.counter;

import java.util.Optional;

import dev.hitcounter.system.Metrics;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Counts views with {@code INCRBY} in a Redis Cluster, through Jedis's cluster client to the primary of the key's slot,
 * with the promises of {@link RedisCounter}: an increment that may have reached Redis is never sent again
 * ({@link SendOnceClusterExecutor}), and while the slot has no primary (or Redis is known to be down) views fail fast
 * with 503 until a background {@code INCRBY key 0} succeeds.
 */
final class RedisClusterCounter implements Counter {

    private final UnifiedJedis cluster;
    private final String key;
    private final String where;
    private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP2);
    private final CommandObject<Long> incr;
    private final CommandObject<Long> incrByZero;
    private final Metrics metrics;
    private final RedisOutage outage;
    private final FailureRecord failures;

    RedisClusterCounter(UnifiedJedis cluster, String key, String where, Metrics metrics) {
        this.cluster = cluster;
        this.key = key;
        this.where = where;
        this.incr = commands.incr(key);
        this.incrByZero = commands.incrBy(key, 0);
        this.metrics = metrics;
        // Jedis drops a broken connection itself and renews its map of slots after failures: nothing to clear here.
        this.outage = new RedisOutage(where, this::isReady, () -> { }, RedisCounter.PROBE_INTERVAL_MILLIS);
        this.failures = new FailureRecord(metrics, outage, key);
    }

    @Override
    public long add(int views) throws CounterUnavailableException {
        if (outage.isDown()) {
            throw failures.record(new CounterUnavailableException(CounterUnavailableException.Kind.KNOWN_DOWN,
                    "waiting for the Redis Cluster to accept writes again"));
        }
        long start = System.nanoTime();
        try {
            long count = cluster.executeCommand(views == 1 ? incr : commands.incrBy(key, views));
            outage.answered();
            return count;
        } catch (JedisException e) {
            throw failures.record(RedisFailures.afterSending(e));
        } finally {
            metrics.redisCommand(System.nanoTime() - start);
        }
    }

    /** Whether an outage is going on: a command failed and no probe has succeeded since. */
    boolean isKnownDown() {
        return outage.isDown();
    }

    @Override
    public boolean isReady() {
        return notReadyBecause().isEmpty();
    }

    /** Whether the primary of the key's slot accepts {@code INCRBY key 0}, a write that changes nothing. */
    @Override
    public Optional<String> notReadyBecause() {
        try {
            cluster.executeCommand(incrByZero);
        } catch (JedisDataException reply) {
            if (!RedisFailures.isBadValue(reply.getMessage())) {
                return Optional.of(RedisFailures.explain(reply, where));
            }
        } catch (JedisException e) {
            return Optional.of(RedisFailures.explain(e, where));
        }
        outage.answered();
        return Optional.empty();
    }

    @Override
    public void close() {
        outage.close();
        cluster.close();
    }
}
