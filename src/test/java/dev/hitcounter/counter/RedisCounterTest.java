package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.NoSuchElementException;

import dev.hitcounter.system.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;

class RedisCounterTest {

    private final RedisClient client = mock(RedisClient.class);
    @SuppressWarnings("unchecked")
    private final Pool<Connection> pool = mock(Pool.class);
    private final Connection connection = mock(Connection.class);
    private RedisCounter counter;

    @BeforeEach
    void wire() {
        counter = new RedisCounter(client, () -> pool, "views", "redis://test:6379/0", RedisCounter.Replication.NONE,
                new Metrics());
    }

    @AfterEach
    void close() {
        counter.close();
    }

    @Test
    void returnsWhatIncrReturnsAndGivesTheConnectionBack() throws Exception {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class))).thenReturn(7L);
        assertEquals(7, counter.increment());
        verify(connection).close();
    }

    @Test
    void timeoutAfterSendingIsNotRetriedAndMayHaveCounted() {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class)))
                .thenThrow(new JedisConnectionException(new SocketTimeoutException("Read timed out")));
        CounterUnavailableException e = assertThrows(CounterUnavailableException.class, counter::increment);
        assertEquals(CounterUnavailableException.Kind.TIMEOUT, e.kind());
        assertTrue(e.mayHaveCounted());
        verify(connection, times(1)).executeCommand(any(CommandObject.class));
        verify(pool, times(1)).getResource();
    }

    @Test
    void brokenConnectionAfterSendingIsNotRetried() {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class)))
                .thenThrow(new JedisConnectionException("Unexpected end of stream."));
        CounterUnavailableException e = assertThrows(CounterUnavailableException.class, counter::increment);
        assertEquals(CounterUnavailableException.Kind.BROKEN, e.kind());
        verify(connection, times(1)).executeCommand(any(CommandObject.class));
    }

    @Test
    void noConnectionMeansNothingWasSent() {
        when(pool.getResource()).thenThrow(new JedisConnectionException(new ConnectException("Connection refused")));
        CounterUnavailableException e = assertThrows(CounterUnavailableException.class, counter::increment);
        assertEquals(CounterUnavailableException.Kind.CONNECT, e.kind());
        assertFalse(e.mayHaveCounted());
    }

    @Test
    void exhaustedPoolMeansNothingWasSent() {
        when(pool.getResource()).thenThrow(new JedisException("Could not get a resource from the pool",
                new NoSuchElementException("Timeout waiting for idle object")));
        CounterUnavailableException e = assertThrows(CounterUnavailableException.class, counter::increment);
        assertEquals(CounterUnavailableException.Kind.POOL_EXHAUSTED, e.kind());
        assertFalse(e.mayHaveCounted());
    }

    @Test
    void duringAnOutageRequestsFailFastWithoutTouchingRedis() {
        when(client.ping()).thenThrow(new JedisConnectionException("refused"));
        when(pool.getResource()).thenThrow(new JedisConnectionException(new ConnectException("Connection refused")));
        assertThrows(CounterUnavailableException.class, counter::increment);
        CounterUnavailableException second = assertThrows(CounterUnavailableException.class, counter::increment);
        assertEquals(CounterUnavailableException.Kind.KNOWN_DOWN, second.kind());
        assertFalse(second.mayHaveCounted());
        verify(pool, times(1)).getResource();
        verify(pool, times(1)).clear();
    }

    @Test
    void outageEndsWhenABackgroundPingIsAnswered() throws Exception {
        when(pool.getResource()).thenThrow(new JedisConnectionException(new ConnectException("Connection refused")))
                .thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class))).thenReturn(1L);
        when(client.ping()).thenReturn("PONG");
        assertThrows(CounterUnavailableException.class, counter::increment);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (true) {
            try {
                assertEquals(1, counter.increment());
                break;
            } catch (CounterUnavailableException e) {
                assertEquals(CounterUnavailableException.Kind.KNOWN_DOWN, e.kind());
                assertTrue(System.nanoTime() < deadline, "the probe ends the outage");
                Thread.sleep(10);
            }
        }
    }

    @Test
    void exhaustedPoolDoesNotStartAnOutage() {
        when(pool.getResource()).thenThrow(new JedisException("Could not get a resource from the pool",
                new NoSuchElementException("Timeout waiting for idle object"))).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class))).thenReturn(5L);
        assertThrows(CounterUnavailableException.class, counter::increment);
        assertDoesNotThrow(counter::increment);
    }

    @Test
    void readyWhenPingAnswersPong() {
        when(client.ping()).thenReturn("PONG");
        assertTrue(counter.isReady());
        when(client.ping()).thenThrow(new JedisConnectionException("refused"));
        assertFalse(counter.isReady());
    }
}
