package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

    @Test
    void defaultsCountInMemoryOnPort8080() {
        Settings settings = Settings.from(Map.of());
        assertEquals(8080, settings.port());
        assertEquals(Optional.empty(), settings.redis());
        assertEquals("views", settings.counterKey());
        assertEquals(200, settings.poolSize());
        assertEquals(50, settings.poolWaitMillis());
        assertEquals(250, settings.connectTimeoutMillis());
        assertEquals(250, settings.readTimeoutMillis());
        assertTrue(settings.coalesce());
    }

    @Test
    void coalescingCanBeTurnedOff() {
        assertFalse(Settings.from(Map.of("REDIS_COALESCE", "false")).coalesce());
    }

    @Test
    void badBooleanNamesTheVariable() {
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of("REDIS_COALESCE", "yes")));
        assertEquals("REDIS_COALESCE=yes is invalid: expected true or false (default true)", e.getMessage());
    }

    @Test
    void emptyVariablesMeanUnset() {
        Settings settings = Settings.from(Map.of("REDIS_URL", "", "PORT", " ", "COUNTER_KEY", ""));
        assertEquals(Optional.empty(), settings.redis());
        assertEquals(8080, settings.port());
        assertEquals("views", settings.counterKey());
    }

    @Test
    void readsEveryNumber() {
        Settings settings = Settings.from(Map.of("PORT", "0", "REDIS_POOL_SIZE", "8", "REDIS_POOL_WAIT_MS", "0",
                "REDIS_CONNECT_TIMEOUT_MS", "250", "REDIS_READ_TIMEOUT_MS", "60000", "COUNTER_KEY", "hits:home"));
        assertEquals(0, settings.port());
        assertEquals(8, settings.poolSize());
        assertEquals(0, settings.poolWaitMillis());
        assertEquals(250, settings.connectTimeoutMillis());
        assertEquals(60000, settings.readTimeoutMillis());
        assertEquals("hits:home", settings.counterKey());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "PORT | -1", "PORT | 65536", "PORT | 80a", "PORT | 8080.0", "PORT | 99999999999",
        "REDIS_POOL_SIZE | 0", "REDIS_POOL_SIZE | 10001", "REDIS_POOL_SIZE | many",
        "REDIS_POOL_WAIT_MS | 60001", "REDIS_POOL_WAIT_MS | 1.5",
        "REDIS_CONNECT_TIMEOUT_MS | 0", "REDIS_READ_TIMEOUT_MS | 0", "REDIS_READ_TIMEOUT_MS | 100ms",
    })
    void badNumberNamesTheVariableAndTheRange(String variable, String value) {
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of(variable, value)));
        assertTrue(e.getMessage().startsWith(variable + "=" + value + " is invalid: expected a whole number from "),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"two words", "tab\there", "ключ"})
    void badCounterKeyNamesTheVariable(String key) {
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of("COUNTER_KEY", key)));
        assertTrue(e.getMessage().startsWith("COUNTER_KEY="), e.getMessage());
    }

    @Test
    void tooLongCounterKeyIsRefused() {
        assertThrows(SettingsException.class, () -> Settings.from(Map.of("COUNTER_KEY", "k".repeat(513))));
    }

    @Test
    void passwordFileSuppliesThePassword(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("redis-password"), "s3cret\n");
        Settings settings = Settings.from(Map.of("REDIS_URL", "redis://redis:6379",
                "REDIS_PASSWORD_FILE", secret.toString()));
        assertEquals("s3cret", settings.redis().orElseThrow().password());
        assertFalse(settings.describe().contains("s3cret"), settings.describe());
    }

    @Test
    void aclUserInUrlTakesThePasswordFromTheFile(@TempDir Path dir) throws IOException {
        // docs/scaling.md gives managed services' ACL users so: the colon says the name is a user, not a password.
        Path secret = Files.writeString(dir.resolve("redis-password"), "s3cret\n");
        Settings settings = Settings.from(Map.of("REDIS_URL", "rediss://counter:@cache.example.com:6379",
                "REDIS_PASSWORD_FILE", secret.toString()));
        RedisEndpoint endpoint = settings.redis().orElseThrow();
        assertEquals("counter", endpoint.user());
        assertEquals("s3cret", endpoint.password());
        assertTrue(endpoint.tls());
    }

    @Test
    void passwordInUrlAndFileIsRefused(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("redis-password"), "other");
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of(
                "REDIS_URL", "redis://:s3cret@redis:6379", "REDIS_PASSWORD_FILE", secret.toString())));
        assertFalse(e.getMessage().contains("s3cret"));
        assertTrue(e.getMessage().contains("REDIS_PASSWORD_FILE"));
    }

    @Test
    void emptyPasswordFileIsRefused(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("redis-password"), "\n");
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of(
                "REDIS_URL", "redis://redis:6379", "REDIS_PASSWORD_FILE", secret.toString())));
        assertTrue(e.getMessage().startsWith("REDIS_PASSWORD_FILE="), e.getMessage());
    }

    @Test
    void missingPasswordFileIsRefused() {
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of(
                "REDIS_URL", "redis://redis:6379", "REDIS_PASSWORD_FILE", "/nonexistent/file")));
        assertTrue(e.getMessage().startsWith("REDIS_PASSWORD_FILE=/nonexistent/file is invalid"), e.getMessage());
    }

    @Test
    void passwordFileWithoutRedisUrlIsRefused() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of("REDIS_PASSWORD_FILE", "/run/secrets/x")));
        assertTrue(e.getMessage().contains("REDIS_URL"), e.getMessage());
    }

    @Test
    void describeShowsEverySettingButNoPassword() {
        String line = Settings.from(Map.of("REDIS_URL", "redis://app:s3cret@redis:6380/2", "REQUEST_THREADS", "6"))
                .describe();
        assertEquals("counting in Redis at redis://app:***@redis:6380/2, COUNTER_KEY=views, REDIS_POOL_SIZE=200, "
                + "REDIS_POOL_WAIT_MS=50, REDIS_CONNECT_TIMEOUT_MS=250, REDIS_READ_TIMEOUT_MS=250, REDIS_COALESCE=true, "
                + "REDIS_WAIT_REPLICAS=0, REQUEST_THREADS=6, PAGE_KEY_PREFIX=page, MAX_PAGES=10000, PAGES=any, "
                + "UNIQUE_VISITORS=true, UNIQUE_VISITORS_SECRET_FILE=unset (a random secret per process), "
                + "CORS_ORIGINS=none, TRUSTED_PROXIES=none, HISTORY_DAYS=400, COUNT_BOTS=false, COUNT_ONCE_PER=unset, "
                + "ACCESS_LOG=false, ADMIN_TOKEN_FILE=unset (admin endpoints off), STATS_VISIBILITY=private", line);
    }

    @Test
    void theOwnersSettingsAreReadAndCheckedWithTheirDefaults(@TempDir Path dir) throws IOException {
        Settings defaults = Settings.from(Map.of());
        assertEquals(400, defaults.pages().historyDays());
        assertEquals(false, defaults.pages().countBots());
        assertEquals(0, defaults.pages().countOncePerMillis());
        assertEquals(false, defaults.owner().statsPublic());
        assertTrue(defaults.owner().adminToken().isEmpty());

        Path token = Files.writeString(dir.resolve("admin-token"), "0123456789abcdef0123\n");
        Settings set = Settings.from(Map.of("HISTORY_DAYS", "90", "COUNT_BOTS", "true", "COUNT_ONCE_PER", "30m",
                "STATS_VISIBILITY", "public", "ADMIN_TOKEN_FILE", token.toString()));
        assertEquals(90, set.pages().historyDays());
        assertEquals(true, set.pages().countBots());
        assertEquals(30 * 60_000L, set.pages().countOncePerMillis());
        assertEquals(true, set.owner().statsPublic());
        assertEquals("0123456789abcdef0123", new String(set.owner().adminToken().get().bytes(),
                java.nio.charset.StandardCharsets.UTF_8));
        assertFalse(set.describe().contains("0123456789abcdef0123"), "never the token: " + set.describe());

        for (Map<String, String> bad : List.of(Map.of("HISTORY_DAYS", "0"), Map.of("COUNT_ONCE_PER", "30"),
                Map.of("COUNT_ONCE_PER", "25h"), Map.of("STATS_VISIBILITY", "open"),
                Map.of("ADMIN_TOKEN_FILE", dir.resolve("missing").toString()))) {
            SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(bad));
            String variable = bad.keySet().iterator().next();
            assertTrue(e.getMessage().startsWith(variable), e.getMessage());
        }
        Path shortToken = Files.writeString(dir.resolve("short"), "abc");
        assertThrows(SettingsException.class, () -> Settings.from(Map.of("ADMIN_TOKEN_FILE", shortToken.toString())));
    }

    @Test
    void requestThreadsFollowTheProcessorsUnlessSet() {
        int processors = Runtime.getRuntime().availableProcessors();
        assertEquals(2 * processors, Settings.from(Map.of()).requestThreads());
        assertEquals(2 * processors, Settings.from(Map.of("REDIS_URL", "redis://redis")).requestThreads());
        assertEquals(200, Settings.from(Map.of("REDIS_URL", "redis://redis", "REDIS_COALESCE", "false"))
                .requestThreads());
        assertEquals(3, Settings.from(Map.of("REQUEST_THREADS", "3")).requestThreads());
        SettingsException e = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of("REQUEST_THREADS", "0")));
        assertEquals("REQUEST_THREADS=0 is invalid: expected a whole number from 1 to 10000 (default "
                + 2 * processors + ")", e.getMessage());
    }

    @Test
    void sentinelsAreReadWithTheirDefaultPortAndMaster(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("redis-password"), "s3cret\n");
        Settings settings = Settings.from(Map.of("REDIS_SENTINELS", "sentinel-1, sentinel-2:26380,[::1]:26381",
                "REDIS_PASSWORD_FILE", secret.toString(), "REDIS_WAIT_REPLICAS", "1"));
        RedisSentinels sentinels = settings.sentinels().orElseThrow();
        assertEquals(List.of(new RedisSentinels.Address("sentinel-1", 26379),
                new RedisSentinels.Address("sentinel-2", 26380), new RedisSentinels.Address("::1", 26381)),
                sentinels.sentinels());
        assertEquals("mymaster", sentinels.master());
        assertEquals("s3cret", sentinels.password());
        assertEquals(Optional.empty(), settings.redis());
        assertTrue(settings.usesRedis());
        assertEquals(1, settings.waitReplicas());
        assertTrue(settings.describe().startsWith("counting in Redis: the primary 'mymaster' named by Sentinels "
                + "sentinel-1:26379,sentinel-2:26380,[::1]:26381 (with a password)"), settings.describe());
        assertFalse(settings.describe().contains("s3cret"));
        assertEquals("cache", Settings.from(Map.of("REDIS_SENTINELS", "s1", "REDIS_SENTINEL_MASTER", "cache"))
                .sentinels().orElseThrow().master());
        assertNull(sentinels.sentinelPassword(), "the Sentinels' password is a setting of its own");
        assertFalse(sentinels.tls());
        Settings tls = Settings.from(Map.of("REDIS_SENTINELS", "s1", "REDIS_SENTINEL_TLS", "true"));
        assertTrue(tls.sentinels().orElseThrow().tls());
        assertTrue(tls.describe().contains("s1:26379 over TLS"), tls.describe());
    }

    @Test
    void theSentinelsOwnPasswordIsReadFromItsFileAndNeverShown(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("sentinel-password"), "sentinel-s3cret\n");
        Settings settings = Settings.from(Map.of("REDIS_SENTINELS", "s1",
                "REDIS_SENTINEL_PASSWORD_FILE", secret.toString()));
        assertEquals("sentinel-s3cret", settings.sentinels().orElseThrow().sentinelPassword());
        assertNull(settings.sentinels().orElseThrow().password(), "the data nodes' password is REDIS_PASSWORD_FILE");
        assertTrue(settings.describe().contains("(Sentinels with a password)"), settings.describe());
        assertFalse(settings.describe().contains("s3cret"), settings.describe());

        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of(
                "REDIS_SENTINELS", "s1", "REDIS_SENTINEL_PASSWORD_FILE", empty.toString())));
        assertTrue(e.getMessage().startsWith("REDIS_SENTINEL_PASSWORD_FILE=" + empty + " is invalid: expected a "
                + "readable file holding the Sentinels' password"), e.getMessage());
        assertThrows(SettingsException.class, () -> Settings.from(Map.of(
                "REDIS_SENTINELS", "s1", "REDIS_SENTINEL_PASSWORD_FILE", dir.resolve("missing").toString())));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "REDIS_SENTINELS=s1,,s2 | REDIS_SENTINELS=s1,,s2 is invalid: expected a comma-separated list of Sentinels",
        "REDIS_SENTINELS=s1:0 | REDIS_SENTINELS=s1:0 is invalid",
        "REDIS_SENTINELS=s1:x | REDIS_SENTINELS=s1:x is invalid",
        "REDIS_SENTINELS=s1,s1 | REDIS_SENTINELS=s1,s1 is invalid",
        "REDIS_SENTINELS=redis://s1 | REDIS_SENTINELS=redis://s1 is invalid",
        "REDIS_SENTINEL_MASTER=a b;REDIS_SENTINELS=s1 | REDIS_SENTINEL_MASTER=a b is invalid",
        "REDIS_SENTINEL_MASTER=mymaster | REDIS_SENTINEL_MASTER is set but REDIS_SENTINELS is not",
        "REDIS_SENTINEL_PASSWORD_FILE=/run/secrets/s | REDIS_SENTINEL_PASSWORD_FILE is set but REDIS_SENTINELS is not",
        "REDIS_SENTINEL_TLS=true | REDIS_SENTINEL_TLS is set but REDIS_SENTINELS is not",
        "REDIS_SENTINEL_TLS=yes;REDIS_SENTINELS=s1 | REDIS_SENTINEL_TLS=yes is invalid: expected true or false",
        "REDIS_SENTINELS=s1;REDIS_URL=redis://r | REDIS_URL and REDIS_SENTINELS are both set",
        "REDIS_WAIT_REPLICAS=1 | REDIS_WAIT_REPLICAS is set but neither REDIS_URL nor REDIS_SENTINELS is",
        "REDIS_WAIT_REPLICAS=-1;REDIS_URL=redis://r | REDIS_WAIT_REPLICAS=-1 is invalid: expected a whole number",
    })
    void badSentinelSettingsAreRefusedByName(String variables, String message) {
        Map<String, String> env = new HashMap<>();
        for (String variable : variables.split(";")) {
            env.put(variable.substring(0, variable.indexOf('=')), variable.substring(variable.indexOf('=') + 1));
        }
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(env));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void clusterModeTakesItsSeedFromRedisUrl() {
        Settings settings = Settings.from(Map.of("REDIS_URL", "rediss://app:pw@cluster.example:6379",
                "REDIS_CLUSTER", "true"));
        assertTrue(settings.cluster());
        assertTrue(settings.describe().contains("the Redis Cluster seeded by rediss://app:***@cluster.example:6379"),
                settings.describe());
        assertFalse(Settings.from(Map.of("REDIS_URL", "redis://redis:6379")).cluster());
    }

    @Test
    void clusterModeWithoutRedisUrlIsRefused() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of("REDIS_CLUSTER", "true")));
        assertTrue(e.getMessage().contains("REDIS_CLUSTER=true but REDIS_URL is not set"), e.getMessage());
    }

    @Test
    void clusterModeRefusesADatabaseOtherThanZero() {
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of(
                "REDIS_URL", "redis://redis:6379/3", "REDIS_CLUSTER", "true")));
        assertTrue(e.getMessage().startsWith("REDIS_URL names database 3 but REDIS_CLUSTER=true"), e.getMessage());
        assertTrue(Settings.from(Map.of("REDIS_URL", "redis://redis:6379/0", "REDIS_CLUSTER", "true")).cluster());
    }

    @Test
    void clusterModeRefusesWaitReplicas() {
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of(
                "REDIS_URL", "redis://redis:6379", "REDIS_CLUSTER", "true", "REDIS_WAIT_REPLICAS", "1")));
        assertTrue(e.getMessage().startsWith("REDIS_WAIT_REPLICAS=1 is not supported with REDIS_CLUSTER=true"),
                e.getMessage());
    }

    @Test
    void badClusterFlagNamesTheVariable() {
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of(
                "REDIS_URL", "redis://redis:6379", "REDIS_CLUSTER", "yes")));
        assertTrue(e.getMessage().startsWith("REDIS_CLUSTER=yes is invalid"), e.getMessage());
    }
}
