package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.hitcounter.testing.LauncherProcess;
import org.junit.jupiter.api.Test;

/** {@code ACCESS_LOG=true}: the launcher writes one JSON line per request on its standard output; off by default. */
class AccessLogIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void withAccessLogTrueEachRequestIsOneJsonLine() throws Exception {
        List<Map<String, String>> lines = accessLogOf(Map.of("ACCESS_LOG", "true"));
        Map<String, String> view = lines.stream().filter(line -> "GET /?from=it HTTP/1.1".equals(line.get("request")))
                .findFirst().orElseThrow(() -> new AssertionError("no line for GET /?from=it in " + lines));
        assertEquals("200", view.get("statusCode"));
        assertEquals("127.0.0.1", view.get("remoteAddr"));
        assertEquals("access-log-it", view.get("User-Agent"));
        Map<String, String> missing = lines.stream().filter(line -> "GET /nope HTTP/1.1".equals(line.get("request")))
                .findFirst().orElseThrow(() -> new AssertionError("no line for GET /nope in " + lines));
        assertEquals("404", missing.get("statusCode"));
    }

    @Test
    void behindATrustedProxyTheLineNamesTheClientItForwarded() throws Exception {
        List<Map<String, String>> lines = accessLogOf(Map.of("ACCESS_LOG", "true", "TRUSTED_PROXIES", "127\\.0\\.0\\.1"));
        Map<String, String> view = lines.stream().filter(line -> "GET /?from=it HTTP/1.1".equals(line.get("request")))
                .findFirst().orElseThrow(() -> new AssertionError("no line for GET /?from=it in " + lines));
        assertEquals("203.0.113.7", view.get("remoteAddr"));
    }

    @Test
    void offByDefault() throws Exception {
        assertEquals(List.of(), accessLogOf(Map.of()));
    }

    /** Starts the launcher with {@code env}, sends a view and a 404, stops it and returns its JSON lines, flattened. */
    private List<Map<String, String>> accessLogOf(Map<String, String> env) throws Exception {
        Map<String, String> withPort = new HashMap<>(env);
        withPort.put("PORT", String.valueOf(LauncherProcess.freePort()));
        String output;
        try (LauncherProcess app = LauncherProcess.start(withPort)) {
            app.awaitAnswer(http, app.uri("/healthz"));
            for (String path : List.of("/?from=it", "/nope")) {
                http.send(HttpRequest.newBuilder(app.uri(path)).header("User-Agent", "access-log-it")
                        .header("X-Forwarded-For", "203.0.113.7").build(), HttpResponse.BodyHandlers.discarding());
            }
            app.terminate();
            app.awaitExit();
            output = app.output();
        }
        JsonFactory json = new JsonFactory();
        List<Map<String, String>> lines = new ArrayList<>();
        for (String line : output.lines().filter(line -> line.startsWith("{")).toList()) {
            Map<String, String> fields = new HashMap<>();
            try (JsonParser parser = json.createParser(line)) {
                while (parser.nextToken() != null) {
                    if (parser.currentToken() == JsonToken.VALUE_STRING) {
                        fields.put(parser.currentName(), parser.getText());
                    }
                }
            }
            lines.add(fields);
        }
        assertFalse(output.contains("Exception"), output);
        return lines;
    }
}
