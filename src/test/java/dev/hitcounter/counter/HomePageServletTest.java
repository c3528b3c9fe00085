package dev.hitcounter.counter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.IOException;

import dev.hitcounter.system.Metrics;
import dev.hitcounter.testing.RecordingResponse;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HomePageServletTest {

    private final Counter counter = mock(Counter.class);
    private final Metrics metrics = new Metrics();
    private final HomePageServlet servlet = new HomePageServlet(counter, metrics);
    private final RecordingResponse response = new RecordingResponse();

    @Test
    void getShowsTheNewCount() throws Exception {
        when(counter.increment()).thenReturn(42L);
        servlet.service(request("GET"), response.mock);
        verify(response.mock).setStatus(200);
        verify(response.mock).setContentType("text/html; charset=UTF-8");
        verify(response.mock).setHeader("Cache-Control", "no-store");
        assertTrue(response.body().contains("<p>Hello! This page has been seen 42 times.</p>"), response.body());
        assertTrue(response.body().startsWith("<!DOCTYPE html>"), response.body());
        assertEquals(1, viewsServed());
    }

    private long viewsServed() {
        return (long) metrics.registry().scrape().stream()
                .filter(snapshot -> snapshot.getMetadata().getName().equals("hitcounter_views"))
                .flatMap(snapshot -> snapshot.getDataPoints().stream())
                .mapToDouble(point -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) point).getValue())
                .sum();
    }

    @Test
    void getAnswers503WithRetryAfterWhenTheCounterIsUnavailable() throws Exception {
        when(counter.increment()).thenThrow(new CounterUnavailableException(
                CounterUnavailableException.Kind.CONNECT, new IOException("refused")));
        servlet.service(request("GET"), response.mock);
        verify(response.mock).setStatus(503);
        verify(response.mock).setHeader("Retry-After", "1");
        assertTrue(response.body().contains("unavailable"), response.body());
        assertTrue(!response.body().contains("refused"), "no internal detail: " + response.body());
        assertEquals(0, viewsServed());
    }

    @Test
    void headDoesNotCount() throws Exception {
        servlet.service(request("HEAD"), response.mock);
        verify(response.mock).setStatus(200);
        verify(counter, never()).increment();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"})
    void otherMethodsGet405WithAllowAndDoNotCount(String method) throws Exception {
        servlet.service(request(method), response.mock);
        verify(response.mock).setStatus(405);
        verify(response.mock).setHeader("Allow", "GET, HEAD");
        verify(counter, never()).increment();
        assertEquals(true, response.body().contains("GET and HEAD only"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"//", "/;jsessionid=1", "/%2F"})
    void aliasesOfTheRootAreNotFoundAndDoNotCount(String uri) throws Exception {
        HttpServletRequest request = request("GET");
        when(request.getRequestURI()).thenReturn(uri);
        servlet.service(request, response.mock);
        verify(response.mock).setStatus(404);
        verify(counter, never()).increment();
    }

    private static HttpServletRequest request(String method) {
        HttpServletRequest request = mock(HttpServletRequest.class);
        when(request.getMethod()).thenReturn(method);
        when(request.getRequestURI()).thenReturn("/");
        return request;
    }
}
