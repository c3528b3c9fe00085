package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.hitcounter.testing.FakeAsync;
import org.junit.jupiter.api.Test;

class BatchCompletionsTest {

    private final BatchCompletions batch = new BatchCompletions();

    @Test
    void aBatchIsCompletedByOneTaskOnARequestThread() throws Exception {
        List<FakeAsync> views = List.of(new FakeAsync("GET", "/"), new FakeAsync("GET", "/"), new FakeAsync("GET", "/"));
        views.forEach(view -> batch.add(view));

        batch.finish();

        for (FakeAsync view : views) {
            assertTrue(view.awaitCompletion(), "completed");
            assertEquals(1, view.completions());
        }
        assertEquals(1, views.get(0).starts(), "one task for the whole batch");
        assertEquals(0, views.get(1).starts() + views.get(2).starts());
    }

    @Test
    void whenNoTaskCanStartEveryRequestIsStillCompleted() throws Exception {
        FakeAsync gone = new FakeAsync("GET", "/");
        FakeAsync other = new FakeAsync("GET", "/");
        gone.clientGoes();
        batch.add(gone);
        batch.add(other);

        batch.finish();

        assertEquals(1, other.completions(), "completed on the batch's own thread");
        assertEquals(0, gone.starts());
    }

    @Test
    void aBatchOfOneIsCompletedAtOnceWithoutATask() {
        FakeAsync view = new FakeAsync("GET", "/");
        batch.add(view);

        batch.finish();

        assertEquals(1, view.completions());
        assertEquals(0, view.starts());
    }

    @Test
    void finishingTwiceCompletesNothingTwice() throws Exception {
        FakeAsync view = new FakeAsync("GET", "/");
        batch.add(view);
        batch.finish();
        batch.finish();

        assertEquals(1, view.completions());
    }
}
