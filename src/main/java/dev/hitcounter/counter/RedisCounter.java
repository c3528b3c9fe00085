package dev.hitcounter.counter;

import java.net.SocketTimeoutException;
import java.util.NoSuchElementException;

import dev.hitcounter.system.Metrics;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Counts views with Redis {@code INCR} (or {@code INCRBY} for a coalesced batch) over the pooled
 * {@link RedisClient}; while Redis is known to be down it fails fast.
 *
 * <p>An increment is never retried: once the command is written, Redis may execute it even if
 * the reply is lost, so a retry could count a view twice. Only a failure to get a connection
 * proves that nothing was sent; even then we answer 503 rather than retry, so that a slow Redis
 * costs each request at most one wait.
 */
public final class RedisCounter implements Counter {

    static final long PROBE_INTERVAL_MILLIS = 100;

    private final RedisClient client;
    private final String key;
    private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP2);
    private final CommandObject<Long> incr;
    private final Metrics metrics;
    private final RedisOutage outage;

    public RedisCounter(RedisClient client, String key, String where, Metrics metrics) {
        this.client = client;
        this.key = key;
        this.incr = commands.incr(key);
        this.metrics = metrics;
        // One broken connection usually means all idle ones are (Redis restarted): the outage
        // drops them so that the requests after recovery open fresh ones instead of failing.
        this.outage = new RedisOutage(where, this::isReady, () -> client.getPool().clear(), PROBE_INTERVAL_MILLIS);
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

    private Connection borrow() throws CounterUnavailableException {
        try {
            return client.getPool().getResource();
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

    @Override
    public boolean isReady() {
        try {
            boolean ready = "PONG".equals(client.ping());
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
