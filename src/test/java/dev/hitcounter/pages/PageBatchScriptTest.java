package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.CounterUnavailableException.Kind;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.util.SafeEncoder;

/** PageBatchScript's calls and its one retry, against a mocked connection. */
class PageBatchScriptTest {

    @SuppressWarnings("unchecked")
    private final Pool<Connection> pool = mock(Pool.class);
    private final Connection connection = mock(Connection.class);
    private final PageBatchScript script = new PageBatchScript(() -> pool, "page", 100);

    @Test
    void sendsOneEvalshaWithTheKnownSetAndEachPagesKeyNameAndViews() throws Exception {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class))).thenReturn(List.of(3L, "FULL", "WRONGTYPE x"));
        Map<String, PageOutcome> outcomes = script.add(batch("home", 3, "new", 1, "odd", 2));
        assertEquals(Map.of("home", new PageOutcome.Counted(3), "new", new PageOutcome.Full(),
                "odd", new PageOutcome.Rejected("WRONGTYPE x")), outcomes);
        assertEquals(List.of(List.of("EVALSHA", PageBatchScript.sha1Hex(scriptText()), "4",
                "page:known:pages", "page:home", "page:new", "page:odd", "100", "3", "home", "new", "odd", "3", "1", "2")),
                sent(1));
        verify(connection).close();
    }

    @Test
    void noscriptSendsTheBatchOnceMoreWithTheScriptsText() throws Exception {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class)))
                .thenThrow(new JedisNoScriptException("NOSCRIPT No matching script. Please use EVAL."))
                .thenReturn(List.of(1L));
        assertEquals(Map.of("home", new PageOutcome.Counted(1)), script.add(batch("home", 1)));
        List<List<String>> sent = sent(2);
        assertEquals("EVALSHA", sent.get(0).get(0));
        assertEquals(List.of("EVAL", scriptText()), sent.get(1).subList(0, 2));
        assertEquals(sent.get(0).subList(2, sent.get(0).size()), sent.get(1).subList(2, sent.get(1).size()),
                "the same keys and arguments");
        verify(connection).close();
    }

    @Test
    void aTimeoutAfterSendingIsNotRetriedAndMayHaveCounted() {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class)))
                .thenThrow(new JedisConnectionException(new SocketTimeoutException("Read timed out")));
        CounterUnavailableException failure = failure();
        assertEquals(Kind.TIMEOUT, failure.kind());
        assertTrue(failure.mayHaveCounted());
        sent(1);
        verify(connection).close();
    }

    @Test
    void aConnectionBrokenAfterSendingIsNotRetriedAndMayHaveCounted() {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class)))
                .thenThrow(new JedisConnectionException("Unexpected end of stream."));
        CounterUnavailableException failure = failure();
        assertEquals(Kind.BROKEN, failure.kind());
        assertTrue(failure.mayHaveCounted());
        sent(1);
    }

    @Test
    void aTimeoutOfTheSecondSendAfterNoscriptIsNotRetriedAgain() {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class)))
                .thenThrow(new JedisNoScriptException("NOSCRIPT No matching script. Please use EVAL."))
                .thenThrow(new JedisConnectionException(new SocketTimeoutException("Read timed out")));
        assertEquals(Kind.TIMEOUT, failure().kind());
        sent(2);
    }

    @Test
    void anErrorReplyToTheSecondSendIsARefusalNotALoop() {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class)))
                .thenThrow(new JedisNoScriptException("NOSCRIPT No matching script. Please use EVAL."))
                .thenThrow(new JedisDataException("BUSY Redis is busy running a script."));
        CounterUnavailableException failure = failure();
        assertEquals(Kind.REFUSED, failure.kind());
        assertFalse(failure.mayHaveCounted());
        sent(2);
    }

    @Test
    void anErrorReplyIsARefusalThatCountedNothingAndIsNotRetried() {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class)))
                .thenThrow(new JedisDataException("OOM command not allowed when used memory > 'maxmemory'."));
        CounterUnavailableException failure = failure();
        assertEquals(Kind.REFUSED, failure.kind());
        assertFalse(failure.mayHaveCounted());
        assertTrue(failure.retryMayHelp());
        sent(1);
    }

    @Test
    void aBadValueUnderTheKnownPagesSetIsRejectedForAPersonToFix() {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class))).thenThrow(new JedisDataException(
                "ERR Error running script (call to f_0): @user_script:26: WRONGTYPE Operation against a key holding"
                        + " the wrong kind of value"));
        CounterUnavailableException failure = failure();
        assertEquals(Kind.REJECTED, failure.kind());
        assertFalse(failure.retryMayHelp());
    }

    @Test
    void noConnectionMeansNothingWasSent() {
        when(pool.getResource()).thenThrow(new JedisConnectionException("Failed to connect"));
        assertEquals(Kind.CONNECT, failure().kind());
        doThrow(new JedisException("Could not get a resource from the pool",
                new NoSuchElementException("Timeout waiting for idle object"))).when(pool).getResource();
        assertEquals(Kind.POOL_EXHAUSTED, failure().kind());
    }

    @Test
    void aCountAboveTwoToThe53ComesAsADecimalString() throws Exception {
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class))).thenReturn(List.of("9007199254740993"));
        assertEquals(Map.of("big", new PageOutcome.Counted(9007199254740993L)), script.add(batch("big", 1)));
    }

    @Test
    void refusesNamesThatCouldReachOtherKeysAndViewsBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> script.add(batch("known:pages", 1)));
        assertThrows(IllegalArgumentException.class, () -> script.add(batch("home", -1)));
        assertThrows(IllegalArgumentException.class, () -> new PageBatchScript(() -> pool, "page", -1));
    }

    @Test
    void withWaitReplicasAWaitFollowsTheScriptOnItsConnection() throws Exception {
        PageBatchScript waiting = new PageBatchScript(() -> pool, "page", 100, 2, 125);
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class))).thenReturn(List.of(3L)).thenReturn(2L);
        assertEquals(Map.of("home", new PageOutcome.Counted(3)), waiting.add(batch("home", 1)));
        List<List<String>> sent = sent(2);
        assertEquals("EVALSHA", sent.get(0).get(0));
        assertEquals(List.of("WAIT", "2", "125"), sent.get(1));
        verify(connection).close();
    }

    @Test
    void tooFewReplicasIsNotReplicatedAndMayHaveCounted() {
        PageBatchScript waiting = new PageBatchScript(() -> pool, "page", 100, 2, 125);
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class))).thenReturn(List.of(3L)).thenReturn(1L);
        CounterUnavailableException failure = assertThrows(CounterUnavailableException.class,
                () -> waiting.add(batch("home", 1)));
        assertEquals(Kind.NOT_REPLICATED, failure.kind());
        assertTrue(failure.mayHaveCounted());
        assertTrue(failure.retryMayHelp());
        sent(2);
    }

    @Test
    void aBatchThatCountedNothingWaitsForNoReplica() throws Exception {
        PageBatchScript waiting = new PageBatchScript(() -> pool, "page", 100, 2, 125);
        when(pool.getResource()).thenReturn(connection);
        when(connection.executeCommand(any(CommandObject.class))).thenReturn(List.of("FULL"));
        assertEquals(Map.of("new", new PageOutcome.Full()), waiting.add(batch("new", 1)));
        sent(1);
    }

    @Test
    void theVisitorPartOfTheReplyListsTheHyperLogLogsThatFailed() throws Exception {
        when(pool.getResource()).thenReturn(connection);
        String failed = "page:uniques:home:2026-03-10 WRONGTYPE Key is not a valid HyperLogLog string value.";
        when(connection.executeCommand(any(CommandObject.class))).thenReturn(List.of(3L, 1L,
                List.of(failed.getBytes(StandardCharsets.UTF_8))));
        UniqueVisitors.Batch visitors = new UniqueVisitors.Batch(List.of(bytes("page:uniques:home:2026-03-10"),
                bytes("page:uniques:about:2026-03-10")), List.of(bytes("691200"), bytes("1"), new byte[16], bytes("0")));
        PageBatchScript.Reply reply = script.add(batch("home", 3, "about", 1), visitors);
        assertEquals(Map.of("home", new PageOutcome.Counted(3), "about", new PageOutcome.Counted(1)), reply.outcomes());
        assertEquals(List.of(failed), reply.visitorFailures());
        List<String> words = sent(1).get(0);
        assertEquals(List.of("EVALSHA", PageBatchScript.sha1Hex(scriptText()), "5", "page:known:pages", "page:home",
                "page:about", "page:uniques:home:2026-03-10", "page:uniques:about:2026-03-10", "100", "2", "home",
                "about", "3", "1", "691200", "1"), words.subList(0, 16));
        assertEquals(List.of("0"), words.subList(17, 18));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private CounterUnavailableException failure() {
        return assertThrows(CounterUnavailableException.class, () -> script.add(batch("home", 1)));
    }

    /** The commands sent, as words; there must have been exactly {@code count}. */
    private List<List<String>> sent(int count) {
        @SuppressWarnings("unchecked")
        ArgumentCaptor<CommandObject<?>> captor = ArgumentCaptor.forClass(CommandObject.class);
        verify(connection, times(count)).executeCommand(captor.capture());
        List<List<String>> sent = new ArrayList<>();
        for (CommandObject<?> command : captor.getAllValues()) {
            List<String> words = new ArrayList<>();
            command.getArguments().forEach(word -> words.add(SafeEncoder.encode(word.getRaw())));
            sent.add(words);
        }
        return sent;
    }

    private static String scriptText() {
        try (InputStream in = PageBatchScript.class.getResourceAsStream(PageBatchScript.SCRIPT_RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Integer> batch(Object... pagesAndViews) {
        Map<String, Integer> batch = new LinkedHashMap<>();
        for (int i = 0; i < pagesAndViews.length; i += 2) {
            batch.put((String) pagesAndViews[i], (Integer) pagesAndViews[i + 1]);
        }
        return batch;
    }
}
