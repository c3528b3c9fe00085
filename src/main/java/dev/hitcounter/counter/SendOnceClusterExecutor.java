package dev.hitcounter.counter;

import java.time.Duration;

import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.executors.ClusterCommandExecutor;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/**
 * Jedis's own cluster executor (slot routing, {@code MOVED} and {@code ASK} followed, topology renewed), except that a
 * command is never sent twice once it may have reached Redis: a connection that fails after sending ends the call.
 *
 * <p>Jedis sends a command again after any connection failure, which for {@code INCRBY} or the pages' script could
 * count a batch twice. Failing to get a connection is still tried again (nothing was sent), and so are redirections:
 * a {@code MOVED} or {@code ASK} reply proves that the node ran nothing.
 */
final class SendOnceClusterExecutor extends ClusterCommandExecutor {

    /** A connection failed after the command was written: it may have run, so it is not sent again. */
    static final class SentAndLost extends JedisClusterOperationException {

        private static final long serialVersionUID = 1L;

        SentAndLost(JedisConnectionException cause) {
            super("the connection failed after the command was sent: " + cause.getMessage(), cause);
        }

        JedisConnectionException sent() {
            return (JedisConnectionException) getCause();
        }
    }

    SendOnceClusterExecutor(ClusterConnectionProvider provider, int maxAttempts, Duration maxTotalRetriesDuration) {
        super(provider, maxAttempts, maxTotalRetriesDuration);
    }

    @Override
    protected <T> T execute(Connection connection, CommandObject<T> command) {
        try {
            return connection.executeCommand(command);
        } catch (JedisConnectionException e) {
            // Jedis rethrows a JedisClusterOperationException at once, without another attempt.
            throw new SentAndLost(e);
        }
    }
}
