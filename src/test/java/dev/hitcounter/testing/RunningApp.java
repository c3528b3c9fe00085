package dev.hitcounter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.hitcounter.EmbeddedServer;
import dev.hitcounter.system.Settings;

/** The app on embedded Tomcat on a free port, started the way the run command starts it, with an HTTP client. */
public final class RunningApp implements AutoCloseable {

    private static final Pattern COUNT = Pattern.compile("Hello! This page has been seen (\\d+) times\\.");

    private final EmbeddedServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private RunningApp(EmbeddedServer server) {
        this.server = server;
    }

    /** Starts the app with these environment variables (PORT defaults to 0 here). */
    public static RunningApp start(Map<String, String> env) {
        Map<String, String> withPort = new HashMap<>(env);
        withPort.putIfAbsent("PORT", "0");
        try {
            return new RunningApp(EmbeddedServer.start(Settings.from(withPort)));
        } catch (Exception e) {
            throw new IllegalStateException("the app did not start", e);
        }
    }

    public static RunningApp withRedis(RedisServerProcess redis) {
        return start(Map.of("REDIS_URL", redis.url()));
    }

    public int port() {
        return server.port();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GETs {@code /}, insists on a 200 page with the sentence, and returns its count. */
    public long view() {
        HttpResponse<String> response = get("/");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET / answered " + response.statusCode() + ": " + response.body());
        }
        return countIn(response.body());
    }

    /** The N of "seen N times" in a page body; fails when the sentence is missing. */
    public static long countIn(String body) {
        Matcher matcher = COUNT.matcher(body);
        if (!matcher.find()) {
            throw new AssertionError("not the hit-counter page: " + body);
        }
        return Long.parseLong(matcher.group(1));
    }

    @Override
    public void close() {
        server.close();
    }
}
