package dev.hitcounter.counter;

import java.net.SocketTimeoutException;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

import dev.hitcounter.counter.CounterUnavailableException.Kind;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;

/**
 * Classifies the failures of a Redis command, for {@code INCR} and for the page commands alike: nothing sent
 * (CONNECT, POOL_EXHAUSTED), an error reply (REJECTED for a bad value, REFUSED otherwise: nothing ran), or a command
 * that may have run (TIMEOUT, BROKEN). Callers never retry after the last two.
 */
public final class RedisFailures {

    private RedisFailures() {
    }

    /** A connection from the pool; failing to get one proves that nothing was sent. */
    public static Connection borrow(Supplier<Pool<Connection>> pool) throws CounterUnavailableException {
        try {
            return pool.get().getResource();
        } catch (StorePool.KnownDown e) {
            throw new CounterUnavailableException(Kind.KNOWN_DOWN, e);
        } catch (JedisException e) {
            throw new CounterUnavailableException(e.getCause() instanceof NoSuchElementException
                    ? Kind.POOL_EXHAUSTED : Kind.CONNECT, e);
        }
    }

    /** What a failure after sending means: an error reply ran nothing; anything else may have. */
    public static CounterUnavailableException afterSending(JedisException e) {
        return e instanceof JedisDataException reply ? refusal(reply) : mayHaveRun(e);
    }

    /** An error reply to the command itself: a bad value under a key, or Redis refusing writes for now. */
    static CounterUnavailableException refusal(JedisDataException reply) {
        return new CounterUnavailableException(isBadValue(reply.getMessage()) ? Kind.REJECTED : Kind.REFUSED, reply);
    }

    /** A timeout or a broken connection after sending: the command may have run. */
    static CounterUnavailableException mayHaveRun(JedisException e) {
        return new CounterUnavailableException(e.getCause() instanceof SocketTimeoutException
                ? Kind.TIMEOUT : Kind.BROKEN, e);
    }

    /**
     * A value under a key that is not a 64-bit integer string (or would pass its limit), as {@code INCR} reports it
     * directly or a script from inside ({@code ERR Error running script … WRONGTYPE …}): a person has to fix it.
     */
    static boolean isBadValue(String reply) {
        return reply != null && (reply.contains("WRONGTYPE")
                || reply.startsWith("ERR value is not an integer")
                || reply.startsWith("ERR increment or decrement would overflow"));
    }
}
