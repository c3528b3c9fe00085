package dev.hitcounter.counter;

import java.util.function.Supplier;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.Pool;

/**
 * Where the app's other Redis stores (the pages) send their commands: a connection borrowed from the one Redis's (or
 * the Sentinel-named primary's) pool, or a Redis Cluster, where each command goes to the primary of its keys' slot.
 */
public interface RedisCommands {

    /**
     * Commands sent one after the other: over a pool, on one connection, so that a {@code WAIT} waits for the writes
     * before it; in a cluster, each to its keys' slot.
     *
     * @throws CounterUnavailableException when nothing was sent: no connection (or Redis is known to be down)
     */
    Session open() throws CounterUnavailableException;

    /** Whether Redis is a cluster, where the keys of one script call must share one hash slot. */
    boolean isCluster();

    /** Commands in a row; close it to give the connection back. */
    interface Session extends AutoCloseable {

        <T> T execute(CommandObject<T> command);

        /** Reads in one round trip: a pipeline on the connection; in a cluster, one per node its keys are on. */
        AbstractPipeline pipelined();

        @Override
        void close();
    }

    /** The commands over the pool to borrow from now (as for {@link RedisCounter}). */
    static RedisCommands pooled(Supplier<Pool<Connection>> pool) {
        return new RedisCommands() {
            @Override
            public Session open() throws CounterUnavailableException {
                Connection connection = RedisFailures.borrow(pool);
                return new Session() {
                    @Override
                    public <T> T execute(CommandObject<T> command) {
                        return connection.executeCommand(command);
                    }

                    @Override
                    public AbstractPipeline pipelined() {
                        return new Pipeline(connection, false);
                    }

                    @Override
                    public void close() {
                        connection.close();
                    }
                };
            }

            @Override
            public boolean isCluster() {
                return false;
            }
        };
    }
}
