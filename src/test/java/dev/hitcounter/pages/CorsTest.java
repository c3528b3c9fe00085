package dev.hitcounter.pages;

import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Arrays;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.mockito.verification.VerificationMode;

/**
 * {@code Vary: Origin} on every answer while {@code CORS_ORIGINS} lists origins, whatever the request's Origin, even
 * none: else a shared cache could hand the answer it kept for a request without Origin, which has no
 * {@code Access-Control-Allow-Origin}, to an allowed origin's script (issue 27 item 2).
 */
class CorsTest {

    private static final Cors LISTED = new Cors(List.of("https://blog.example.com", "http://localhost:4000"));

    /** No Origin, an allowed one, another one, the opaque {@code null}. */
    private static final List<String> ORIGINS =
            Arrays.asList(null, "https://blog.example.com", "https://evil.example.com", "null");

    @Test
    void anAnswerVariesByOriginForEveryOriginAndForNone() {
        for (String origin : ORIGINS) {
            HttpServletResponse response = mock(HttpServletResponse.class);
            LISTED.allow(request(origin), response);
            verify(response, once("Vary: Origin, Origin " + (origin == null ? "absent" : origin)))
                    .addHeader("Vary", "Origin");
        }
    }

    @Test
    void aPreflightVariesByOriginOnceForEveryOriginAndForNone() {
        for (String origin : ORIGINS) {
            HttpServletResponse response = mock(HttpServletResponse.class);
            LISTED.allow(request(origin), response);
            LISTED.preflight(response);
            verify(response, once("Vary: Origin, Origin " + (origin == null ? "absent" : origin)))
                    .addHeader("Vary", "Origin");
            verify(response).setStatus(204);
        }
    }

    @Test
    void onlyAnAllowedOriginIsEchoed() {
        HttpServletResponse allowed = mock(HttpServletResponse.class);
        LISTED.allow(request("https://blog.example.com"), allowed);
        verify(allowed).setHeader("Access-Control-Allow-Origin", "https://blog.example.com");

        for (String origin : Arrays.asList(null, "https://evil.example.com", "null")) {
            HttpServletResponse other = mock(HttpServletResponse.class);
            LISTED.allow(request(origin), other);
            verify(other, never()).setHeader(eq("Access-Control-Allow-Origin"), anyString());
        }
    }

    @Test
    void anyOriginOrNoneGivesAnAnswerThatDoesNotVary() {
        for (List<String> origins : List.of(List.of("*"), List.<String>of())) {
            for (String origin : ORIGINS) {
                HttpServletResponse response = mock(HttpServletResponse.class);
                new Cors(origins).allow(request(origin), response);
                verify(response, never()).addHeader(eq("Vary"), anyString());
                verify(response, times(origins.isEmpty() || origin == null ? 0 : 1))
                        .setHeader("Access-Control-Allow-Origin", "*");
            }
        }
    }

    private static VerificationMode once(String what) {
        return times(1).description(what);
    }

    private static HttpServletRequest request(String origin) {
        HttpServletRequest request = mock(HttpServletRequest.class);
        when(request.getHeader("Origin")).thenReturn(origin);
        return request;
    }
}
