package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.net.SocketTimeoutException;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.executors.ClusterCommandExecutor;
import redis.clients.jedis.providers.ClusterConnectionProvider;

/** The cluster executor sends an increment once: a lost reply ends the call, while a MOVED reply is followed. */
class SendOnceClusterExecutorTest {

    private final CommandObject<Long> incrBy = new CommandObjects(RedisProtocol.RESP2).incrBy("views", 3);
    private final ClusterConnectionProvider provider = mock(ClusterConnectionProvider.class);
    private final Connection connection = mock(Connection.class);

    @Test
    void aReplyLostAfterSendingIsNeverSentAgain() {
        when(provider.getConnection(any(CommandArguments.class))).thenReturn(connection);
        when(connection.executeCommand(incrBy)).thenThrow(
                new JedisConnectionException(new SocketTimeoutException("Read timed out")));
        SendOnceClusterExecutor executor = new SendOnceClusterExecutor(provider, 5, Duration.ofSeconds(1));

        SendOnceClusterExecutor.SentAndLost lost = assertThrows(SendOnceClusterExecutor.SentAndLost.class,
                () -> executor.executeCommand(incrBy));

        verify(connection, times(1)).executeCommand(incrBy);
        assertEquals(CounterUnavailableException.Kind.TIMEOUT, RedisFailures.afterSending(lost).kind());
    }

    @Test
    void jedisOwnExecutorWouldSendItAgain() {
        when(provider.getConnection(any(CommandArguments.class))).thenReturn(connection);
        when(connection.executeCommand(incrBy)).thenThrow(
                new JedisConnectionException(new SocketTimeoutException("Read timed out")));
        ClusterCommandExecutor jedis = new ClusterCommandExecutor(provider, 5, Duration.ofSeconds(1));

        assertThrows(RuntimeException.class, () -> jedis.executeCommand(incrBy));

        verify(connection, times(5)).executeCommand(incrBy);
    }

    @Test
    void aMovedReplyIsFollowedToTheNodeItNames() {
        Connection moved = mock(Connection.class);
        HostAndPort target = new HostAndPort("127.0.0.1", 7001);
        when(provider.getConnection(any(CommandArguments.class))).thenReturn(moved);
        when(moved.executeCommand(incrBy)).thenThrow(new JedisMovedDataException("MOVED 1234 127.0.0.1:7001", target,
                1234));
        when(provider.getConnection(target)).thenReturn(connection);
        when(connection.executeCommand(incrBy)).thenReturn(42L);
        SendOnceClusterExecutor executor = new SendOnceClusterExecutor(provider, 5, Duration.ofSeconds(1));

        assertEquals(42L, executor.executeCommand(incrBy));
        verify(provider).renewSlotCache(moved);
    }

    @Test
    void findingNoConnectionSentNothing() {
        when(provider.getConnection(any(CommandArguments.class))).thenThrow(
                new JedisConnectionException("Connection refused"));
        SendOnceClusterExecutor executor = new SendOnceClusterExecutor(provider, 3, Duration.ofMillis(200));

        RuntimeException failure = assertThrows(RuntimeException.class, () -> executor.executeCommand(incrBy));

        assertEquals(CounterUnavailableException.Kind.CONNECT,
                RedisFailures.afterSending((redis.clients.jedis.exceptions.JedisException) failure).kind());
    }
}
