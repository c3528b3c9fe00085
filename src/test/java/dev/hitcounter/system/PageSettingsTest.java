package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PageSettingsTest {

    @Test
    void defaultsCountAnyPageUpToTenThousandWithUniquesAndNoCorsOrProxies() {
        PageSettings pages = Settings.from(Map.of()).pages();

        assertEquals("page", pages.keyPrefix());
        assertEquals(10_000, pages.maxPages());
        assertEquals(Optional.empty(), pages.allowed());
        assertTrue(pages.uniqueVisitors());
        assertEquals(List.of(), pages.corsOrigins());
        assertEquals(Optional.empty(), pages.trustedProxies());
        assertTrue(pages.isCounted("anything"));
    }

    @Test
    void everySettingIsRead() {
        PageSettings pages = Settings.from(Map.of("PAGE_KEY_PREFIX", "hits", "MAX_PAGES", "20",
                "PAGES", "home, blog.first-post", "UNIQUE_VISITORS", "false",
                "CORS_ORIGINS", "https://Blog.Example.com,http://localhost:4000",
                "TRUSTED_PROXIES", "10\\.0\\.0\\.\\d+")).pages();

        assertEquals("hits", pages.keyPrefix());
        assertEquals(20, pages.maxPages());
        assertEquals(Optional.of(Set.of("home", "blog.first-post")), pages.allowed());
        assertTrue(pages.isCounted("blog.first-post"));
        assertFalse(pages.isCounted("other"));
        assertFalse(pages.uniqueVisitors());
        assertEquals(List.of("https://blog.example.com", "http://localhost:4000"), pages.corsOrigins());
        assertTrue(pages.trustedProxies().orElseThrow().matcher("10.0.0.7").matches());
    }

    @Test
    void pagesNamingMorePagesThanMaxPagesStopsStartUp() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> Settings.from(Map.of("MAX_PAGES", "2", "PAGES", "home,about,blog")));
        assertEquals("PAGES names 3 pages but MAX_PAGES=2 lets at most 2 exist: set MAX_PAGES to at least 3 or list "
                + "fewer pages", e.getMessage());
        assertEquals(2, Settings.from(Map.of("MAX_PAGES", "2", "PAGES", "home,about,home")).pages().allowed()
                .orElseThrow().size());
    }

    @Test
    void anyOriginIsAStar() {
        assertEquals(List.of("*"), Settings.from(Map.of("CORS_ORIGINS", "*")).pages().corsOrigins());
    }

    @Test
    void theUniqueVisitorsSecretIsReadFromItsFileAndNeverShown(@TempDir Path dir) throws Exception {
        String secret = "s3cret-".repeat(6);
        Path file = Files.writeString(dir.resolve("secret"), "  " + secret + "\n");
        Settings settings = Settings.from(Map.of("REDIS_URL", "redis://redis:6379",
                "UNIQUE_VISITORS_SECRET_FILE", file.toString()));
        UniqueVisitorsSecret read = settings.pages().uniqueVisitorsSecret().orElseThrow();
        assertArrayEquals(secret.getBytes(StandardCharsets.UTF_8), read.bytes(), "without the spaces around it");
        assertTrue(settings.describe().contains("UNIQUE_VISITORS_SECRET_FILE=" + file), settings.describe());
        assertFalse(settings.describe().contains("s3cret"), settings.describe());
        assertFalse(settings.pages().toString().contains("s3cret"), settings.pages().toString());
        assertEquals(Optional.empty(), Settings.from(Map.of()).pages().uniqueVisitorsSecret());
    }

    @Test
    void aSecretFileThatIsMissingOrShortStopsStartUp(@TempDir Path dir) throws Exception {
        Path shortFile = Files.writeString(dir.resolve("short"), "x".repeat(31) + "\n");
        for (String file : List.of(shortFile.toString(), dir.resolve("missing").toString(), dir.toString())) {
            SettingsException e = assertThrows(SettingsException.class,
                    () -> Settings.from(Map.of("UNIQUE_VISITORS_SECRET_FILE", file)));
            assertTrue(e.getMessage().startsWith("UNIQUE_VISITORS_SECRET_FILE=" + file + " is invalid: expected a "
                    + "readable file holding at least 32 bytes"), e.getMessage());
        }
    }

    @Test
    void withoutRedisTheLogSaysUniqueVisitorsAreOff() {
        // Issue 21 item 18: UNIQUE_VISITORS defaults to true, but without Redis none are kept.
        String line = Settings.from(Map.of()).describe();
        assertTrue(line.contains("UNIQUE_VISITORS=off (unique visitors need Redis)"), line);
        assertFalse(line.contains("UNIQUE_VISITORS=true"), line);
        assertTrue(Settings.from(Map.of("REDIS_URL", "redis://redis", "UNIQUE_VISITORS", "false")).describe()
                .contains("UNIQUE_VISITORS=false, CORS_ORIGINS"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "MAX_PAGES | 0", "MAX_PAGES | many", "MAX_PAGES | 10000001",
        "PAGES | home,,blog", "PAGES | a/b", "PAGES | ..",
        "UNIQUE_VISITORS | yes",
        "CORS_ORIGINS | https://example.com/path", "CORS_ORIGINS | example.com", "CORS_ORIGINS | *,https://a.b",
        "TRUSTED_PROXIES | 10\\.0\\.(", "PAGE_KEY_PREFIX | two words",
    })
    void aBadValueStopsStartUpNamingTheVariable(String variable, String value) {
        SettingsException e = assertThrows(SettingsException.class, () -> Settings.from(Map.of(variable, value)));
        assertTrue(e.getMessage().startsWith(variable + "="), e.getMessage());
    }
}
