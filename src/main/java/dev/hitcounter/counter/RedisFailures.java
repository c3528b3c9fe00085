package dev.hitcounter.counter;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;

import dev.hitcounter.counter.CounterUnavailableException.Kind;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
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

    /**
     * What a failure after sending means: an error reply ran nothing; anything else may have. Through the cluster
     * client, a connection lost after sending may have run too, while a call that ran out of attempts or found no
     * connection (no node serves the slot, every node refused, a full pool) sent nothing.
     */
    public static CounterUnavailableException afterSending(JedisException e) {
        if (e instanceof SendOnceClusterExecutor.SentAndLost lost) {
            return mayHaveRun(lost.sent());
        }
        if (e instanceof JedisClusterOperationException) {
            return new CounterUnavailableException(Kind.CONNECT, e);
        }
        if (e.getCause() instanceof NoSuchElementException && !(e instanceof JedisDataException)) {
            return new CounterUnavailableException(Kind.POOL_EXHAUSTED, e);
        }
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

    /**
     * What a failure to reach Redis or to log in says, in words for a log line or {@code /readyz}: refused credentials
     * (WRONGPASS, NOAUTH, NOPERM: the settings are wrong, and waiting will not help), an unknown host name (DNS), a
     * refused connection, a timeout, or else Redis's own words.
     */
    static String explain(Throwable failure, String where) {
        Optional<String> login = loginRefusal(failure);
        if (login.isPresent()) {
            return "Redis at " + where + " refused the credentials (" + login.get()
                    + "): check REDIS_URL / REDIS_PASSWORD_FILE";
        }
        Optional<Throwable> unknownHost = find(failure, UnknownHostException.class);
        if (unknownHost.isPresent()) {
            return "the host name of Redis at " + where + " is unknown (DNS has no address for "
                    + unknownHost.get().getMessage() + "): check REDIS_URL";
        }
        Optional<Throwable> tls = find(failure, SSLException.class);
        if (tls.isPresent()) {
            return "the TLS handshake with Redis at " + where + " failed (" + tls.get().getMessage() + "): is its "
                    + "certificate trusted by the JVM's trust store, and does it name the host in REDIS_URL?";
        }
        if (find(failure, ConnectException.class).isPresent()) {
            return "Redis at " + where + " refused the connection: is it running, and on that host and port?";
        }
        if (find(failure, SocketTimeoutException.class).isPresent()) {
            return "Redis at " + where + " did not answer within REDIS_CONNECT_TIMEOUT_MS / REDIS_READ_TIMEOUT_MS";
        }
        return "Redis at " + where + " does not answer (" + failure.getMessage() + ")";
    }

    /** The reply's code (WRONGPASS, NOAUTH or NOPERM) when Redis refused the credentials or their rights. */
    static Optional<String> loginRefusal(Throwable failure) {
        return find(failure, JedisAccessControlException.class)
                .or(() -> find(failure, JedisDataException.class).filter(reply -> reply.getMessage() != null
                        && reply.getMessage().matches("(WRONGPASS|NOAUTH|NOPERM)\\b.*")))
                .map(refusal -> String.valueOf(refusal.getMessage()).split(" ", 2)[0]);
    }

    /** The first {@code type} among the failure, its causes and what they suppressed (where Jedis keeps some). */
    private static <T extends Throwable> Optional<Throwable> find(Throwable failure, Class<T> type) {
        Deque<Throwable> pending = new ArrayDeque<>();
        pending.add(failure);
        for (int seen = 0; !pending.isEmpty() && seen < 20; seen++) {
            Throwable next = pending.poll();
            if (type.isInstance(next)) {
                return Optional.of(next);
            }
            if (next.getCause() != null) {
                pending.add(next.getCause());
            }
            pending.addAll(List.of(next.getSuppressed()));
        }
        return Optional.empty();
    }
}
