package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.hitcounter.testing.RawHttp;
import dev.hitcounter.testing.RedisServerProcess;
import dev.hitcounter.testing.RunningApp;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed, oversized, odd and slow requests over raw sockets: never a 500, never a
 * stack trace or server version, never a count for anything but {@code GET /}, and the page still
 * works afterwards.
 */
class HostileInputIT {

    private static final int REQUESTS = 3_000;
    private static final long SEED = 20261128L;
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH",
        "CONNECT", "PROPFIND", "BREW", "get", "G\u00c9T", "GET GET", ""};
    private static final String[] PATHS = {"/", "/x", "/favicon.ico", "/index.html", "/healthz", "/readyz",
        "/metrics", "/error", "/%zz", "/%", "/%00", "/%2e%2e/%2e%2e/etc/passwd", "/../../etc/passwd", "//",
        "/;jsessionid=1", "/x.jsp", "/WEB-INF/web.xml", "/META-INF/context.xml", "/\u00e9", "*", "http://evil/",
        "/<script>alert(1)</script>", "/a?b=<script>", "/" + "a".repeat(9000), "/%C0%AE%C0%AE/"};

    @Test
    void hostileRequestsNeverCauseA500OrACountAndThePageStillWorks() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url()))) {
            List<Socket> slowClients = openSlowClients(app.port(), 50);

            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<RawHttp.Result>> results = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                Random random = new Random(SEED + i);
                results.add(pool.submit(() -> RawHttp.send(app.port(), hostileRequest(random))));
            }
            long pagesServed = 0;
            int answered = 0;
            for (Future<RawHttp.Result> future : results) {
                RawHttp.Result result = future.get();
                if (result.status() == 0) {
                    continue;
                }
                answered++;
                // 501 is Tomcat's right answer to CONNECT; 503 only if Redis were down.
                assertTrue(result.status() < 500 || result.status() == 501 || result.status() == 503,
                        result.status() + " for " + result.request() + ": " + result.response());
                assertFalse(result.response().contains("Apache Tomcat") || result.response().contains("Exception")
                        || result.response().contains("\tat ") || result.response().contains("Server: "),
                        "no internal detail for " + result.request() + ": " + result.response());
                if (result.response().contains("This page has been seen")) {
                    assertTrue(result.request().startsWith("GET / ") || result.request().startsWith("GET /?"),
                            "only GET / shows the page: " + result.request());
                    pagesServed++;
                }
            }
            pool.shutdown();
            assertTrue(answered > REQUESTS / 2, "most requests got an HTTP answer: " + answered);
            assertEquals(pagesServed, redis.valueOf("views"), "only the pages served were counted");

            for (Socket slow : slowClients) {
                slow.close();
            }
            long next = app.view();
            assertEquals(pagesServed + 1, next, "the page still counts correctly afterwards");
            System.out.printf("hostile input: %d requests, %d answered, %d pages counted, 0 answers 500%n",
                    REQUESTS, answered, pagesServed);
        }
    }

    @Test
    void oversizedHeadersGet400Or431() throws Exception {
        try (RunningApp app = RunningApp.start(Map.of())) {
            RawHttp.Result result = RawHttp.send(app.port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
            assertTrue(result.status() == 400 || result.status() == 431, result.response());
            assertTrue(result.response().contains("Content-Security-Policy: default-src 'none'"), result.response());
            assertEquals(1, app.view(), "the oversized request did not count");
        }
    }

    @Test
    void malformedPercentEncodingGetsTheAppsOwn400Page() throws Exception {
        try (RunningApp app = RunningApp.start(Map.of())) {
            RawHttp.Result result = RawHttp.send(app.port(), "GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals(400, result.status(), result.response());
            assertTrue(result.response().contains("<title>Bad request</title>"), result.response());
        }
    }

    @Test
    void everyResponseCarriesTheSecurityHeadersAndNoServerVersion() throws Exception {
        try (RunningApp app = RunningApp.start(Map.of())) {
            for (String path : List.of("/", "/x", "/healthz", "/readyz", "/metrics")) {
                var response = app.get(path);
                var headers = response.headers();
                assertEquals("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                        headers.firstValue("Content-Security-Policy").orElse(""), path);
                assertEquals("nosniff", headers.firstValue("X-Content-Type-Options").orElse(""), path);
                assertEquals("no-referrer", headers.firstValue("Referrer-Policy").orElse(""), path);
                assertFalse(headers.firstValue("Server").orElse("").matches(".*\\d.*"), "no version in Server: " + path);
            }
        }
    }

    private static String hostileRequest(Random random) {
        boolean page = random.nextInt(5) == 0;
        String method = page ? "GET" : METHODS[random.nextInt(METHODS.length)];
        String path = page ? "/" : PATHS[random.nextInt(PATHS.length)];
        if (random.nextInt(3) == 0) {
            path += "?" + randomText(random, random.nextInt(200));
        }
        StringBuilder request = new StringBuilder(method).append(' ').append(path)
                .append(random.nextInt(10) == 0 ? " HTTP/1.0" : " HTTP/1.1").append("\r\n");
        if (random.nextInt(10) != 0) {
            request.append("Host: localhost\r\n");
        }
        switch (random.nextInt(8)) {
            case 0 -> request.append("X-Big: ").append("b".repeat(10_000 + random.nextInt(20_000))).append("\r\n");
            case 1 -> request.append("Content-Length: ").append(random.nextInt(100)).append("\r\n");
            case 2 -> request.append("Transfer-Encoding: chunked\r\n");
            case 3 -> request.append("Content-Length: -1\r\n");
            case 4 -> request.append("Bad Header Without Colon\r\n");
            case 5 -> request.append("X-Ctl: a\u0001b\r\n");
            default -> request.append("Accept: */*\r\n");
        }
        request.append("Connection: close\r\n\r\n");
        if (random.nextInt(5) == 0) {
            request.append(randomText(random, random.nextInt(100)));
        }
        return request.toString();
    }

    private static String randomText(Random random, int length) {
        String alphabet = "abcXYZ019%&=+;/?#[]@!$'()*,~-._ \"<>\\^`{|}\u00e9\u4e2d";
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    @Test
    void uploadsThatStallMidBodyHoldNoRequestThread() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RunningApp app = RunningApp.start(Map.of("REDIS_URL", redis.url()))) {
            // Ten times the request threads: each would hold one until the connection timeout if Tomcat
            // waited to swallow the rest of the body after answering.
            List<Socket> stalled = RawHttp.stallMidBody(app.port(), 20);
            try {
                Thread.sleep(500);
                long started = System.nanoTime();
                app.view();
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertTrue(millis < 2_000, "the page answered beside 20 stalled uploads, in " + millis + " ms");
                assertEquals(200, app.get("/readyz").statusCode());
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }

    /** Clients that send half a request and stall: they must not keep the server from serving others. */
    private static List<Socket> openSlowClients(int port, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            sockets.add(socket);
        }
        return sockets;
    }
}
