package dev.hitcounter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.testing.LauncherProcess;
import dev.hitcounter.testing.RedisServerProcess;
import org.junit.jupiter.api.Test;

/**
 * The launcher's {@code /metrics} holds the JVM's, the connector's and the app's own families, each with its type,
 * and the series the alert rules read exist before anything failed (issue 25).
 */
class MetricsFamiliesIT {

    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void metricsHoldTheJvmTheConnectorAndTheAppsFamilies() throws Exception {
        int port = LauncherProcess.freePort();
        try (RedisServerProcess redis = RedisServerProcess.start();
                LauncherProcess app = LauncherProcess.start(Map.of("PORT", String.valueOf(port),
                        "REDIS_URL", redis.url(), "REQUEST_THREADS", "3"))) {
            app.awaitAnswer(http, app.uri("/"));
            String text = http.send(HttpRequest.newBuilder(app.uri("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();

            Map<String, String> types = new HashMap<>();
            Matcher matcher = TYPE.matcher(text);
            while (matcher.find()) {
                types.put(matcher.group(1), matcher.group(2));
            }
            Map<String, String> expected = Map.ofEntries(
                    Map.entry("jvm_memory_used_bytes", "gauge"),
                    Map.entry("jvm_memory_max_bytes", "gauge"),
                    Map.entry("jvm_memory_pool_used_bytes", "gauge"),
                    Map.entry("jvm_gc_collection_seconds", "summary"),
                    Map.entry("jvm_threads_current", "gauge"),
                    Map.entry("jvm_threads_state", "gauge"),
                    Map.entry("process_cpu_seconds_total", "counter"),
                    Map.entry("tomcat_connector_threads_busy", "gauge"),
                    Map.entry("tomcat_connector_threads_current", "gauge"),
                    Map.entry("tomcat_connector_threads_max", "gauge"),
                    Map.entry("tomcat_connector_connections", "gauge"),
                    Map.entry("tomcat_connector_connections_max", "gauge"),
                    Map.entry("hitcounter_views_total", "counter"),
                    Map.entry("hitcounter_views_uncertain_total", "counter"),
                    Map.entry("hitcounter_redis_errors_total", "counter"),
                    Map.entry("hitcounter_redis_command_seconds", "histogram"),
                    Map.entry("hitcounter_redis_pool_connections", "gauge"),
                    Map.entry("hitcounter_http_responses_total", "counter"),
                    Map.entry("hitcounter_page_views_not_counted_total", "counter"));
            expected.forEach((family, type) -> assertEquals(type, types.get(family), family + " in\n" + text));

            // The launcher turns Tomcat's JMX registry off; the connector is still there, by its port.
            String connector = "{connector=\"http-nio-" + port + "\"}";
            assertEquals(3, sample(text, "tomcat_connector_threads_max" + connector), text);
            double busy = sample(text, "tomcat_connector_threads_busy" + connector);
            assertTrue(busy >= 1 && busy <= 3, "the scrape itself holds a request thread: " + busy);
            assertTrue(sample(text, "tomcat_connector_connections" + connector) >= 1, text);
            assertEquals(1, sample(text, "hitcounter_views_total"), text);
            // Present at 0 before any failure, so rate() over them is 0 rather than nothing.
            for (CounterUnavailableException.Kind kind : CounterUnavailableException.Kind.values()) {
                String series = "hitcounter_redis_errors_total{kind=\"" + kind.name().toLowerCase() + "\"}";
                assertEquals(0, sample(text, series), series);
            }
            assertEquals(0, sample(text, "hitcounter_http_responses_total{status=\"503\"}"), text);
        }
    }

    private static double sample(String text, String series) {
        Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        if (!matcher.find()) {
            throw new AssertionError("no sample " + series + " in\n" + text);
        }
        return Double.parseDouble(matcher.group(1));
    }
}
