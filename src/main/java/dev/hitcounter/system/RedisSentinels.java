package dev.hitcounter.system;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Redis Sentinels that name the primary to count in, parsed from {@code REDIS_SENTINELS} and
 * {@code REDIS_SENTINEL_MASTER}; {@link #toString()} never shows the password.
 *
 * @param sentinels the Sentinels, each {@code host:port}
 * @param master    the name under which the Sentinels monitor the primary
 * @param password         the data nodes' password ({@code REDIS_PASSWORD_FILE}), or null
 * @param sentinelPassword the Sentinels' own password, their {@code requirepass} ({@code
 *                         REDIS_SENTINEL_PASSWORD_FILE}), or null
 * @param tls              whether the Sentinels and the data nodes they name speak TLS ({@code REDIS_SENTINEL_TLS})
 */
public record RedisSentinels(List<Address> sentinels, String master, String password, String sentinelPassword,
        boolean tls) {

    static final String EXPECTED = "a comma-separated list of Sentinels as host[:port] (port 1-65535, default 26379), "
            + "e.g. sentinel-1:26379,sentinel-2:26379,sentinel-3:26379";

    /** One Sentinel's address. */
    public record Address(String host, int port) {

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public RedisSentinels {
        sentinels = List.copyOf(sentinels);
    }

    static RedisSentinels parse(String variable, String value, String master) {
        List<Address> addresses = new ArrayList<>();
        for (String entry : value.split(",", -1)) {
            addresses.add(address(variable, value, entry.strip()));
        }
        if (addresses.stream().distinct().count() != addresses.size()) {
            throw new SettingsException(variable, value, EXPECTED + ", each Sentinel once");
        }
        return new RedisSentinels(addresses, master, null, null, false);
    }

    private static Address address(String variable, String value, String entry) {
        String host;
        String port;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            host = close < 0 ? "" : entry.substring(1, close);
            port = close < 0 ? "" : entry.substring(close + 1);
        } else {
            int colon = entry.indexOf(':');
            host = colon < 0 ? entry : entry.substring(0, colon);
            port = colon < 0 ? "" : entry.substring(colon);
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9._:%-]+")) {
            throw new SettingsException(variable, value, EXPECTED);
        }
        if (port.isEmpty()) {
            return new Address(host, 26379);
        }
        if (!port.matches(":[0-9]{1,5}") || Integer.parseInt(port.substring(1)) < 1
                || Integer.parseInt(port.substring(1)) > 65535) {
            throw new SettingsException(variable, value, EXPECTED);
        }
        return new Address(host, Integer.parseInt(port.substring(1)));
    }

    RedisSentinels withPassword(String newPassword) {
        return new RedisSentinels(sentinels, master, newPassword, sentinelPassword, tls);
    }

    RedisSentinels withSentinelPassword(String newPassword) {
        return new RedisSentinels(sentinels, master, password, newPassword, tls);
    }

    RedisSentinels withTls(boolean newTls) {
        return new RedisSentinels(sentinels, master, password, sentinelPassword, newTls);
    }

    @Override
    public String toString() {
        return "the primary '" + master + "' named by Sentinels "
                + sentinels.stream().map(Address::toString).collect(Collectors.joining(","))
                + (password == null ? "" : " (with a password)")
                + (sentinelPassword == null ? "" : " (Sentinels with a password)")
                + (tls ? " over TLS" : "");
    }
}
