package dev.hitcounter.counter;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.UnifiedJedis;

/**
 * The pages' commands in a Redis Cluster: each goes through the cluster client to the primary of its keys' slot
 * ({@code MOVED} and {@code ASK} followed, never sent twice: {@link SendOnceClusterExecutor}); while the counter of
 * {@code GET /} knows the cluster is down, or no node has answered yet, nothing is sent.
 */
final class ClusterCommands implements RedisCommands {

    private final Supplier<UnifiedJedis> client;
    private final BooleanSupplier knownDown;

    /** @param client the cluster client, or null while no node has answered yet */
    ClusterCommands(Supplier<UnifiedJedis> client, BooleanSupplier knownDown) {
        this.client = client;
        this.knownDown = knownDown;
    }

    @Override
    public Session open() throws CounterUnavailableException {
        if (knownDown.getAsBoolean()) {
            throw new CounterUnavailableException(CounterUnavailableException.Kind.KNOWN_DOWN,
                    "Redis is known to be down; waiting for it to answer again");
        }
        UnifiedJedis cluster = client.get();
        if (cluster == null) {
            throw new CounterUnavailableException(CounterUnavailableException.Kind.CONNECT,
                    "no node of the Redis Cluster has answered yet");
        }
        return new Session() {
            @Override
            public <T> T execute(CommandObject<T> command) {
                return cluster.executeCommand(command);
            }

            @Override
            public AbstractPipeline pipelined() {
                return cluster.pipelined();
            }

            @Override
            public void close() {
                // Each command gave its connection back already.
            }
        };
    }

    @Override
    public boolean isCluster() {
        return true;
    }
}
