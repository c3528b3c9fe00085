package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.hitcounter.counter.Counter;
import dev.hitcounter.testing.RecordingResponse;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

class EndpointServletsTest {

    private final RecordingResponse response = new RecordingResponse();

    @Test
    void healthzAnswersOk() throws Exception {
        new HealthServlet().service(request("GET"), response.mock);
        verify(response.mock).setStatus(200);
        assertEquals("ok\n", response.body());
    }

    @Test
    void readyzFollowsTheCounter() throws Exception {
        Counter counter = mock(Counter.class);
        when(counter.isReady()).thenReturn(false);
        new ReadinessServlet(counter).service(request("GET"), response.mock);
        verify(response.mock).setStatus(503);
        verify(response.mock).setHeader("Retry-After", "1");
    }

    @Test
    void readyzIsReadyWhenTheCounterAnswers() throws Exception {
        Counter counter = mock(Counter.class);
        when(counter.isReady()).thenReturn(true);
        new ReadinessServlet(counter).service(request("GET"), response.mock);
        verify(response.mock).setStatus(200);
        assertEquals("ready\n", response.body());
    }

    @Test
    void healthEndpointsRefuseWrites() throws Exception {
        new HealthServlet().service(request("DELETE"), response.mock);
        verify(response.mock).setStatus(405);
        verify(response.mock).setHeader("Allow", "GET, HEAD");
    }

    @Test
    void notFoundForAnyMethod() throws Exception {
        new ErrorPages().service(request("PUT"), response.mock);
        verify(response.mock).setStatus(404);
        assertTrue(response.body().contains("There is no page here."));
    }

    @Test
    void errorDispatchRendersTheReportedStatus() throws Exception {
        HttpServletRequest request = request("GET");
        when(request.getAttribute(jakarta.servlet.RequestDispatcher.ERROR_STATUS_CODE)).thenReturn(500);
        new ErrorPages().service(request, response.mock);
        verify(response.mock).setStatus(500);
        assertTrue(response.body().contains("Something went wrong on our side."));
    }

    private static HttpServletRequest request(String method) {
        HttpServletRequest request = mock(HttpServletRequest.class);
        when(request.getMethod()).thenReturn(method);
        return request;
    }
}
