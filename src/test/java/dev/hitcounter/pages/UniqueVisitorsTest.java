package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.Mockito.mock;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.util.Pool;

/** The visitor hash and the key names of UniqueVisitors, without Redis. */
class UniqueVisitorsTest {

    private static final byte[] SALT = new byte[32];
    private static final byte[] OTHER_SALT = new byte[32];

    static {
        Arrays.fill(OTHER_SALT, (byte) 1);
    }

    @Test
    void theHashIsSha256OfTheVisitAndTheSameForTheSameVisit() {
        byte[] hash = UniqueVisitors.visitorHash(SALT, "203.0.113.7", "curl/8.5.0", "home");
        assertEquals(32, hash.length);
        assertArrayEquals(hash, UniqueVisitors.visitorHash(SALT, "203.0.113.7", "curl/8.5.0", "home"));
    }

    @Test
    void anyDifferentPartGivesADifferentHash() {
        byte[] hash = UniqueVisitors.visitorHash(SALT, "203.0.113.7", "curl/8.5.0", "home");
        assertFalse(Arrays.equals(hash, UniqueVisitors.visitorHash(OTHER_SALT, "203.0.113.7", "curl/8.5.0", "home")));
        assertFalse(Arrays.equals(hash, UniqueVisitors.visitorHash(SALT, "203.0.113.8", "curl/8.5.0", "home")));
        assertFalse(Arrays.equals(hash, UniqueVisitors.visitorHash(SALT, "203.0.113.7", "curl/8.5.1", "home")));
        assertFalse(Arrays.equals(hash, UniqueVisitors.visitorHash(SALT, "203.0.113.7", "curl/8.5.0", "about")));
    }

    @Test
    void partsCannotRunIntoEachOther() {
        assertFalse(Arrays.equals(UniqueVisitors.visitorHash(SALT, "10.0.0.1", "2agent", "home"),
                UniqueVisitors.visitorHash(SALT, "10.0.0.12", "agent", "home")));
    }

    @Test
    void aMissingUserAgentCountsAsAnEmptyOne() {
        assertArrayEquals(UniqueVisitors.visitorHash(SALT, "203.0.113.7", "", "home"),
                UniqueVisitors.visitorHash(SALT, "203.0.113.7", null, "home"));
    }

    @Test
    void daysAreUtcDaysInTheKeys() {
        UniqueVisitors uniques = uniques(Instant.parse("2026-03-10T23:30:00Z"));
        LocalDate day = LocalDate.of(2026, 3, 10);
        assertEquals(day, uniques.today(), "in Kiritimati it is already the 11th");
        assertEquals("page:uniques:home:2026-03-10", uniques.dayKey("home", day));
        assertEquals("page:salt:2026-03-10", uniques.saltKey(day));
        assertThrows(IllegalArgumentException.class, () -> uniques.dayKey("a:b", day));
    }

    @Test
    void toStringShowsNoSalt() {
        assertEquals("UniqueVisitors[prefix=page, salt kept in Redis only]",
                uniques(Instant.parse("2026-03-10T12:00:00Z")).toString());
    }

    @SuppressWarnings("unchecked")
    private static UniqueVisitors uniques(Instant now) {
        Pool<Connection> pool = mock(Pool.class);
        // A zone far from UTC: the day must still be the UTC one.
        return new UniqueVisitors(() -> pool, "page", Clock.fixed(now, ZoneId.of("Pacific/Kiritimati")),
                new SecureRandom());
    }
}
