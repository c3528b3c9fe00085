package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RedisEndpointTest {

    @Test
    void hostAloneMeansPort6379AndDatabase0() {
        assertEquals(new RedisEndpoint("redis", 6379, null, null, 0, false), RedisEndpoint.parse("REDIS_URL", "redis://redis"));
    }

    @Test
    void readsEveryPart() {
        assertEquals(new RedisEndpoint("cache.internal", 6380, "app", "p@ss:w/rd", 5, true),
                RedisEndpoint.parse("REDIS_URL", "rediss://app:p%40ss%3Aw%2Frd@cache.internal:6380/5"));
    }

    @Test
    void passwordWithoutUser() {
        RedisEndpoint endpoint = RedisEndpoint.parse("REDIS_URL", "redis://:s3cret@127.0.0.1:6379");
        assertNull(endpoint.user());
        assertEquals("s3cret", endpoint.password());
    }

    @Test
    void acceptsHostNamesThatJavaUriRejects() {
        assertEquals("redis_1", RedisEndpoint.parse("REDIS_URL", "redis://redis_1:6379").host());
    }

    @Test
    void acceptsIpv6() {
        RedisEndpoint endpoint = RedisEndpoint.parse("REDIS_URL", "redis://[::1]:7000");
        assertEquals("::1", endpoint.host());
        assertEquals(7000, endpoint.port());
        assertEquals("redis://[::1]:7000/0", endpoint.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "redis", "localhost:6379", "http://redis:6379", "redis://", "redis://:6379", "redis://redis:0",
        "redis://redis:65536", "redis://redis:port", "redis://redis/db", "redis://redis/1/2",
        "redis://redis?timeout=1", "redis://redis#x", "redis://red is", "redis://:s3cret@redis:99999",
    })
    void refusesMalformedUrlsWithoutShowingThePassword(String url) {
        SettingsException e = assertThrows(SettingsException.class, () -> RedisEndpoint.parse("REDIS_URL", url));
        assertTrue(e.getMessage().startsWith("REDIS_URL="), e.getMessage());
        assertTrue(e.getMessage().contains("expected redis://[user:password@]host[:port][/db]"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://:s3c#ret@redis:6379", "redis://:s3c/ret@redis:6379", "redis://:s3c?ret@redis",
        "redis://:s3c%ret@redis"})
    void aRefusedPasswordWithSpecialCharactersIsHiddenAndTheMessageSaysToPercentEncodeThem(String url) {
        SettingsException e = assertThrows(SettingsException.class, () -> RedisEndpoint.parse("REDIS_URL", url));
        assertTrue(e.getMessage().startsWith("REDIS_URL=redis://:***@redis"), e.getMessage());
        assertFalse(e.getMessage().contains("s3c"), e.getMessage());
        assertTrue(e.getMessage().contains("special characters in the user or password percent-encoded (# as %23"),
                e.getMessage());
    }

    @Test
    void anAtSignInThePasswordNeedsNoEncoding() {
        assertEquals("p@ss", RedisEndpoint.parse("REDIS_URL", "redis://:p@ss@redis:6379").password());
    }

    @Test
    void toStringNeverShowsThePassword() {
        assertEquals("redis://app:***@redis:6379/0",
                RedisEndpoint.parse("REDIS_URL", "redis://app:s3cret@redis").toString());
        assertEquals("redis://:***@redis:6379/0", RedisEndpoint.parse("REDIS_URL", "redis://s3cret@redis").toString());
    }

    @Test
    void redactHidesThePasswordOfAnyUrl() {
        assertEquals("redis://app:***@host:1", RedisEndpoint.redact("redis://app:s3cret@host:1"));
        assertEquals("redis://:***@host", RedisEndpoint.redact("redis://s3cret@host"));
        assertEquals("redis://host", RedisEndpoint.redact("redis://host"));
    }
}
