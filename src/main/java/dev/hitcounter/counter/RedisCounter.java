package dev.hitcounter.counter;

import java.net.SocketTimeoutException;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import redis.clients.jedis.CommandObject;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Counts views with one Redis {@code INCR} per view over the pooled {@link RedisClient}.
 *
 * <p>An increment is never retried: once {@code INCR} is written, Redis may execute it even if
 * the reply is lost, so a retry could count one view twice. Only a failure to get a connection
 * proves that nothing was sent, and even then we answer 503 rather than retry, so that a slow
 * Redis costs each request at most one wait.
 */
public final class RedisCounter implements Counter {

    private static final Logger LOG = Logger.getLogger(RedisCounter.class.getName());

    private final RedisClient client;
    private final CommandObject<Long> incr;
    private final String where;
    private final OutageLog outages;

    public RedisCounter(RedisClient client, String key, String where) {
        this.client = client;
        this.incr = new CommandObjects(RedisProtocol.RESP2).incr(key);
        this.where = where;
        this.outages = new OutageLog(where);
    }

    @Override
    public long increment() throws CounterUnavailableException {
        Connection connection = borrow();
        try (connection) {
            long count = connection.executeCommand(incr);
            outages.up();
            return count;
        } catch (JedisException e) {
            throw failed(e.getCause() instanceof SocketTimeoutException
                    ? CounterUnavailableException.Kind.TIMEOUT
                    : CounterUnavailableException.Kind.BROKEN, e);
        }
    }

    private Connection borrow() throws CounterUnavailableException {
        try {
            return client.getPool().getResource();
        } catch (JedisException e) {
            throw failed(e.getCause() instanceof NoSuchElementException
                    ? CounterUnavailableException.Kind.POOL_EXHAUSTED
                    : CounterUnavailableException.Kind.CONNECT, e);
        }
    }

    private CounterUnavailableException failed(CounterUnavailableException.Kind kind, JedisException e) {
        CounterUnavailableException failure = new CounterUnavailableException(kind, e);
        if (outages.down(failure)) {
            // One broken connection usually means all idle ones are (Redis restarted): drop them
            // now so the requests after recovery open fresh ones instead of failing on stale ones.
            client.getPool().clear();
        }
        return failure;
    }

    @Override
    public boolean isReady() {
        try {
            boolean ready = "PONG".equals(client.ping());
            if (ready) {
                outages.up();
            }
            return ready;
        } catch (JedisException e) {
            return false;
        }
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "Redis at " + where;
    }

    /** Logs an outage once when it starts and once when it ends, never once per failed request. */
    static final class OutageLog {

        private final String where;
        private final AtomicLong downSince = new AtomicLong();

        OutageLog(String where) {
            this.where = where;
        }

        /** Records a failure; true only for the first failure of an outage. */
        boolean down(CounterUnavailableException failure) {
            if (downSince.compareAndSet(0, System.nanoTime() | 1)) {
                LOG.warning(() -> "Redis at " + where + " is unavailable (" + failure.getMessage()
                        + "); answering 503 until it is back");
                return true;
            }
            return false;
        }

        void up() {
            long since = downSince.get();
            if (since != 0 && downSince.compareAndSet(since, 0)) {
                long millis = (System.nanoTime() - since) / 1_000_000;
                LOG.log(Level.INFO, "Redis at {0} is back after {1} ms", new Object[] {where, millis});
            }
        }
    }
}
