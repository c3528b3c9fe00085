package dev.hitcounter.system;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Where Redis is and how to log in, parsed from {@code REDIS_URL}; {@link #toString()} never shows the password. */
public record RedisEndpoint(String host, int port, String user, String password, int database, boolean tls) {

    // The password is hidden in the message, so a URL refused for a '#' or '/' in it looks valid: say how to write one.
    static final String EXPECTED =
            "redis://[user:password@]host[:port][/db] or rediss://… for TLS (port 1-65535, db 0-15 or more), with "
            + "special characters in the user or password percent-encoded (# as %23, / as %2F, ? as %3F, @ as %40, "
            + ": as %3A, % as %25)";

    static RedisEndpoint parse(String variable, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new SettingsException(variable, redact(value), EXPECTED);
        }
        String scheme = uri.getScheme();
        boolean tls = "rediss".equalsIgnoreCase(scheme);
        String authority = uri.getRawAuthority();
        if (!tls && !"redis".equalsIgnoreCase(scheme)
                || authority == null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new SettingsException(variable, redact(value), EXPECTED);
        }
        // Parsed by hand rather than with URI.getHost(), which gives null for names such as
        // "redis_1" that Compose and Kubernetes happily create.
        int at = authority.lastIndexOf('@');
        String hostPort = authority.substring(at + 1);
        String host;
        String portText;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            host = close < 0 ? "" : hostPort.substring(1, close);
            portText = close < 0 ? "" : hostPort.substring(close + 1);
        } else {
            int colon = hostPort.indexOf(':');
            host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            portText = colon < 0 ? "" : hostPort.substring(colon);
        }
        int port = parsePort(portText, variable, value);
        if (host.isEmpty() || !host.matches("[A-Za-z0-9._:%-]+")) {
            throw new SettingsException(variable, redact(value), EXPECTED);
        }
        int database = parseDatabase(uri.getRawPath(), variable, value);
        String user = null;
        String password = null;
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                password = decode(userInfo, variable, value);
            } else {
                user = colon == 0 ? null : decode(userInfo.substring(0, colon), variable, value);
                password = decode(userInfo.substring(colon + 1), variable, value);
            }
            if (password.isEmpty()) {
                password = null;
            }
        }
        return new RedisEndpoint(host, port, user, password, database, tls);
    }

    private static int parsePort(String portText, String variable, String value) {
        if (portText.isEmpty()) {
            return 6379;
        }
        if (!portText.matches(":[0-9]{1,5}")) {
            throw new SettingsException(variable, redact(value), EXPECTED);
        }
        int port = Integer.parseInt(portText.substring(1));
        if (port < 1 || port > 65535) {
            throw new SettingsException(variable, redact(value), EXPECTED);
        }
        return port;
    }

    private static int parseDatabase(String path, String variable, String value) {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String digits = path.substring(1);
        if (!digits.matches("[0-9]{1,5}")) {
            throw new SettingsException(variable, redact(value), EXPECTED);
        }
        return Integer.parseInt(digits);
    }

    private static String decode(String part, String variable, String value) {
        try {
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new SettingsException(variable, redact(value), EXPECTED);
        }
    }

    /** Replaces the password in a URL-ish string with {@code ***} so that it can be logged. */
    static String redact(String value) {
        int scheme = value.indexOf("://");
        int at = value.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return value;
        }
        String userInfo = value.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        String shownUser = colon < 0 ? "" : userInfo.substring(0, colon);
        return value.substring(0, scheme + 3) + shownUser + ":***" + value.substring(at);
    }

    RedisEndpoint withPassword(String newPassword) {
        return new RedisEndpoint(host, port, user, newPassword, database, tls);
    }

    @Override
    public String toString() {
        String credentials = password == null ? (user == null ? "" : user + "@")
                : (user == null ? "" : user) + ":***@";
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return (tls ? "rediss://" : "redis://") + credentials + hostPart + ":" + port + "/" + database;
    }
}
