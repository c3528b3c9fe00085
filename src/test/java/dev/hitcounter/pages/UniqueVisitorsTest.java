package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.Mockito.mock;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

import javax.crypto.Mac;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.Connection;
import redis.clients.jedis.util.Pool;

/** The day keys, the visitor values and the key names of UniqueVisitors, without Redis. */
class UniqueVisitorsTest {

    private static final byte[] SECRET = "unit-test-secret-of-at-least-32-bytes!".getBytes(StandardCharsets.UTF_8);
    private static final LocalDate DAY = LocalDate.of(2026, 3, 10);

    @Test
    void theDayKeyAndTheValueAreTheDocumentedHmacs() {
        byte[] dayKey = new DayKeys(SECRET).of(DAY).getEncoded();
        assertArrayEquals(ExpectedVisitorValues.dayKey(SECRET, "2026-03-10"), dayKey);
        assertArrayEquals(ExpectedVisitorValues.value(dayKey, "203.0.113.7", "curl/8.5.0", "home"),
                value(DAY, "203.0.113.7", "curl/8.5.0", "home"));
        assertEquals(16, value(DAY, "203.0.113.7", "curl/8.5.0", "home").length);
    }

    @Test
    void theSameVisitIsTheSameValueAndAnyDifferentPartADifferentOne() {
        byte[] value = value(DAY, "203.0.113.7", "curl/8.5.0", "home");
        assertArrayEquals(value, value(DAY, "203.0.113.7", "curl/8.5.0", "home"));
        assertFalse(Arrays.equals(value, value(DAY.plusDays(1), "203.0.113.7", "curl/8.5.0", "home")));
        assertFalse(Arrays.equals(value, value(DAY, "203.0.113.8", "curl/8.5.0", "home")));
        assertFalse(Arrays.equals(value, value(DAY, "203.0.113.7", "curl/8.5.1", "home")));
        assertFalse(Arrays.equals(value, value(DAY, "203.0.113.7", "curl/8.5.0", "about")));
        byte[] otherSecret = "another-secret-of-at-least-32-bytes-long".getBytes(StandardCharsets.UTF_8);
        assertFalse(Arrays.equals(value, UniqueVisitors.value(DayKeys.mac(new DayKeys(otherSecret).of(DAY)),
                "203.0.113.7", "curl/8.5.0", "home")));
    }

    @Test
    void partsCannotRunIntoEachOther() {
        assertFalse(Arrays.equals(value(DAY, "10.0.0.1", "2agent", "home"), value(DAY, "10.0.0.12", "agent", "home")));
    }

    @Test
    void aMissingUserAgentCountsAsAnEmptyOne() {
        assertArrayEquals(value(DAY, "203.0.113.7", "", "home"), value(DAY, "203.0.113.7", null, "home"));
    }

    @Test
    void aDaysKeyIsKeptForThatDayOnlyAndDerivedAgainForAnother() {
        DayKeys keys = new DayKeys(SECRET);
        assertSame(keys.of(DAY), keys.of(DAY));
        assertArrayEquals(ExpectedVisitorValues.dayKey(SECRET, "2026-03-11"), keys.of(DAY.plusDays(1)).getEncoded());
        assertArrayEquals(ExpectedVisitorValues.dayKey(SECRET, "2026-03-10"), keys.of(DAY).getEncoded());
    }

    @Test
    void aBatchHasEachPagesHyperLogLogAndItsValuesInTheOrderOfThePages() {
        UniqueVisitors uniques = uniques(Instant.parse("2026-03-10T12:00:00Z"));
        UniqueVisitors.Batch batch = uniques.values(List.of("about", "home", "none"), List.of(
                new UniqueVisitors.Visit("home", "203.0.113.7", "curl/8.5.0"),
                new UniqueVisitors.Visit("about", "203.0.113.8", "curl/8.5.0"),
                new UniqueVisitors.Visit("home", "203.0.113.9", "curl/8.5.0")));
        assertEquals(List.of("page:uniques:about:2026-03-10", "page:uniques:home:2026-03-10",
                "page:uniques:none:2026-03-10"), batch.keys().stream().map(String::new).toList());
        List<byte[]> args = batch.args();
        assertEquals(String.valueOf(8 * 24 * 3600), new String(args.get(0)));
        assertEquals("1", new String(args.get(1)));
        assertArrayEquals(value(DAY, "203.0.113.8", "curl/8.5.0", "about"), args.get(2));
        assertEquals("2", new String(args.get(3)));
        assertArrayEquals(value(DAY, "203.0.113.7", "curl/8.5.0", "home"), args.get(4));
        assertArrayEquals(value(DAY, "203.0.113.9", "curl/8.5.0", "home"), args.get(5));
        assertEquals("0", new String(args.get(6)));
        assertEquals(7, args.size());
    }

    @Test
    void daysAreUtcDaysInTheKeys() {
        UniqueVisitors uniques = uniques(Instant.parse("2026-03-10T23:30:00Z"));
        assertEquals(DAY, uniques.today(), "in Kiritimati it is already the 11th");
        assertEquals("page:uniques:home:2026-03-10", uniques.hyperLogLogKey("home", DAY));
        assertThrows(IllegalArgumentException.class, () -> uniques.hyperLogLogKey("a:b", DAY));
    }

    @Test
    void toStringShowsNoSecret() {
        assertEquals("UniqueVisitors[prefix=page, values keyed by a secret kept in the app]",
                uniques(Instant.parse("2026-03-10T12:00:00Z")).toString());
        assertEquals("DayKeys[secret kept in the app]", new DayKeys(SECRET).toString());
    }

    private static byte[] value(LocalDate day, String ip, String userAgent, String page) {
        Mac mac = DayKeys.mac(new DayKeys(SECRET).of(day));
        return UniqueVisitors.value(mac, ip, userAgent, page);
    }

    @SuppressWarnings("unchecked")
    private static UniqueVisitors uniques(Instant now) {
        Pool<Connection> pool = mock(Pool.class);
        // A zone far from UTC: the day must still be the UTC one.
        return new UniqueVisitors(() -> pool, "page", Clock.fixed(now, ZoneId.of("Pacific/Kiritimati")),
                new DayKeys(SECRET));
    }
}
