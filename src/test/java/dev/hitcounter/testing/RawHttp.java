package dev.hitcounter.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sends bytes an HTTP client library would refuse to send, over a plain socket, and reads the answer. */
public final class RawHttp {

    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^Content-Length: (\\d+)$");

    /** The request's first line (shortened), the answer's status (0 for none) and the whole answer as text. */
    public record Result(String request, int status, String response) {
    }

    private RawHttp() {
    }

    /**
     * Opens {@code count} connections that each send a request announcing a body (by length, or chunked), send a
     * few bytes of it, and stall, as a slow or malicious uploader does; the caller closes them.
     */
    public static List<Socket> stallMidBody(int port, int count) throws IOException {
        String[] requests = {
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc",
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc",
            "PUT /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        };
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            socket.getOutputStream().write(requests[i % requests.length].getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            sockets.add(socket);
        }
        return sockets;
    }

    public static Result send(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before reading an oversized request to its end.
            }
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int read; !isComplete(response, request) && (read = in.read(buffer)) != -1; ) {
                    response.write(buffer, 0, read);
                }
            } catch (SocketTimeoutException | SocketException e) {
                // Keep what arrived: a reset after the answer is fine.
            }
            String text = response.toString(StandardCharsets.ISO_8859_1);
            Matcher status = STATUS.matcher(text);
            String firstLine = request.lines().findFirst().orElse("");
            return new Result(firstLine.length() > 120 ? firstLine.substring(0, 120) + "…" : firstLine,
                    status.find() ? Integer.parseInt(status.group(1)) : 0, text);
        }
    }

    /**
     * Whether a whole response has arrived: headers and Content-Length bytes of body. A server
     * may rightly keep the connection open after answering a request whose promised body never
     * came, so the end of the response, not the end of the stream, ends the read.
     */
    private static boolean isComplete(ByteArrayOutputStream received, String request) {
        String text = received.toString(StandardCharsets.ISO_8859_1);
        int headersEnd = text.indexOf("\r\n\r\n");
        if (headersEnd < 0) {
            return false;
        }
        if (request.startsWith("HEAD ")) {
            return true;
        }
        Matcher length = CONTENT_LENGTH.matcher(text.substring(0, headersEnd));
        return length.find() && text.length() - headersEnd - 4 >= Integer.parseInt(length.group(1));
    }
}
