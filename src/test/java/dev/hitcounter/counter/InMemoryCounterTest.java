package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class InMemoryCounterTest {

    @Test
    void countsFromOne() {
        InMemoryCounter counter = new InMemoryCounter();
        assertEquals(1, counter.increment());
        assertEquals(2, counter.increment());
        assertTrue(counter.isReady());
    }

    @Test
    void concurrentIncrementsAreDistinct() {
        InMemoryCounter counter = new InMemoryCounter();
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 10_000).parallel().forEach(i -> seen.add(counter.increment()));
        assertEquals(10_000, seen.size());
        assertEquals(10_001, counter.increment());
    }
}
