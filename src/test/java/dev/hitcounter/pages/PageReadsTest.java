package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.PendingView;
import dev.hitcounter.testing.FakeAsync;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PageReadsTest {

    /** Writes what it answers as text: the value read, "503", "500" or "failed: KIND". */
    private static final PendingView.Answers ANSWERS = new PendingView.Answers() {
        @Override
        public void counted(HttpServletResponse response, long views) throws IOException {
            write(response, Long.toString(views));
        }

        @Override
        public void rejected(HttpServletResponse response) throws IOException {
            write(response, "500");
        }

        @Override
        public void unavailable(HttpServletResponse response) throws IOException {
            write(response, "503");
        }
    };

    private final PageReads reads = new PageReads(60_000, 1, 1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger sent = new AtomicInteger();

    @AfterEach
    void close() {
        release.countDown();
        reads.close();
    }

    @Test
    void requestsAskedWhileTheSameReadIsInFlightShareIt() throws Exception {
        List<FakeAsync> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            FakeAsync request = new FakeAsync("GET", "/badge/x.svg?count=false");
            requests.add(request);
            reads.serve(request.request, new PageReads.Key("views", "x"), this::blockedRead,
                    (response, value) -> write(response, value.toString()), ANSWERS);
        }
        release.countDown();
        for (FakeAsync request : requests) {
            assertTrue(request.awaitCompletion());
            assertEquals("7", request.response.body());
            assertEquals(1, request.completions());
            assertEquals(60_000, request.timeout());
        }
        assertEquals(1, sent.get(), "one read for all five");

        FakeAsync later = new FakeAsync("GET", "/badge/x.svg?count=false");
        reads.serve(later.request, new PageReads.Key("views", "x"), this::blockedRead,
                (response, value) -> write(response, value.toString()), ANSWERS);
        assertTrue(later.awaitCompletion());
        assertEquals(2, sent.get(), "a request after the read was answered reads again");
    }

    @Test
    void aTimeoutAnswers503OnceAndTheLateReadChangesNothing() throws Exception {
        FakeAsync request = new FakeAsync("GET", "/api/pages/x");
        reads.serve(request.request, new PageReads.Key("api", "x"), this::blockedRead,
                (response, value) -> write(response, value.toString()), ANSWERS);
        request.fireTimeout();
        assertEquals("503", request.response.body());
        assertEquals(1, request.completions());
        release.countDown();
        reads.close();
        assertEquals("503", request.response.body());
        assertEquals(1, request.completions());
    }

    @Test
    void aFailedReadIsAnsweredAsItsFailure() throws Exception {
        FakeAsync down = new FakeAsync("GET", "/badge/x.svg?count=false");
        reads.serve(down.request, new PageReads.Key("views", "x"), () -> {
            throw new CounterUnavailableException(CounterUnavailableException.Kind.KNOWN_DOWN, "down");
        }, (response, value) -> write(response, "never"), ANSWERS);
        FakeAsync bad = new FakeAsync("GET", "/badge/y.svg?count=false");
        reads.serve(bad.request, new PageReads.Key("views", "y"), () -> {
            throw new CounterUnavailableException(CounterUnavailableException.Kind.REJECTED, "not a number");
        }, (response, value) -> write(response, "never"), ANSWERS);
        assertTrue(down.awaitCompletion() && bad.awaitCompletion());
        assertEquals("503", down.response.body());
        assertEquals("500", bad.response.body());
    }

    @Test
    void withEveryThreadBusyAndTheQueueFullAReadIsAnswered503AtOnce() throws Exception {
        List<FakeAsync> requests = new ArrayList<>();
        for (String page : List.of("a", "b", "c")) {
            FakeAsync request = new FakeAsync("GET", "/api/pages/" + page);
            requests.add(request);
            reads.serve(request.request, new PageReads.Key("api", page), this::blockedRead,
                    (response, value) -> write(response, value.toString()), ANSWERS);
        }
        // One thread and one place in the queue: the first is read, the second waits, the third has no room.
        assertEquals(1, requests.get(2).completions());
        assertEquals("503", requests.get(2).response.body());
        release.countDown();
        assertTrue(requests.get(0).awaitCompletion() && requests.get(1).awaitCompletion());
        assertEquals("7", requests.get(1).response.body());
    }

    @Test
    void closingAnswers503ToTheReadsStillWaiting() throws Exception {
        FakeAsync request = new FakeAsync("GET", "/badge/x.svg?value=uniques-7d");
        reads.serve(request.request, new PageReads.Key("uniques-7d", "x"), this::blockedRead,
                (response, value) -> write(response, value.toString()), ANSWERS);
        reads.close();
        assertEquals("503", request.response.body());
        assertEquals(1, request.completions());
    }

    private Long blockedRead() {
        sent.incrementAndGet();
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            // close() interrupts the read threads; a Redis read would go on to its timeout, this one returns.
            Thread.currentThread().interrupt();
        }
        return 7L;
    }

    private static void write(HttpServletResponse response, String text) throws IOException {
        response.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    }
}
