package dev.hitcounter.pages;

import java.net.SocketTimeoutException;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.CounterUnavailableException.Kind;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;

/**
 * Classifies the failures of the page commands as {@code RedisCounter} does those of {@code INCR}: nothing sent
 * (CONNECT, POOL_EXHAUSTED), an error reply (REJECTED for a bad value, REFUSED otherwise: nothing ran), or a command
 * that may have run (TIMEOUT, BROKEN). Callers never retry after the last two.
 */
final class RedisFailures {

    private RedisFailures() {
    }

    /** A connection from the pool; failing to get one proves that nothing was sent. */
    static Connection borrow(Supplier<Pool<Connection>> pool) throws CounterUnavailableException {
        try {
            return pool.get().getResource();
        } catch (JedisException e) {
            throw new CounterUnavailableException(e.getCause() instanceof NoSuchElementException
                    ? Kind.POOL_EXHAUSTED : Kind.CONNECT, e);
        }
    }

    /** What a failure after sending means: an error reply ran nothing; anything else may have. */
    static CounterUnavailableException afterSending(JedisException e) {
        if (e instanceof JedisDataException reply) {
            return new CounterUnavailableException(isBadValue(reply.getMessage()) ? Kind.REJECTED : Kind.REFUSED, e);
        }
        return new CounterUnavailableException(e.getCause() instanceof SocketTimeoutException
                ? Kind.TIMEOUT : Kind.BROKEN, e);
    }

    /**
     * A value of the wrong type under a key, as Redis reports it directly or from inside a script ({@code ERR Error
     * running script … WRONGTYPE …}): a person has to fix it.
     */
    static boolean isBadValue(String reply) {
        return reply != null && (reply.contains("WRONGTYPE")
                || reply.startsWith("ERR value is not an integer")
                || reply.startsWith("ERR increment or decrement would overflow"));
    }
}
