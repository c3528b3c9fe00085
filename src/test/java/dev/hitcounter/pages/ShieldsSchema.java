package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * The rules of shields.io's endpoint badge, as its documentation (shields.io/badges/endpoint-badge) and its schema
 * state them: an object with no key outside the schema (shields.io refuses unknown keys), {@code schemaVersion}
 * always the number 1, {@code label} a string (empty allowed), {@code message} a non-empty string, {@code color} a
 * colour shields.io knows, {@code isError} a boolean, and {@code cacheSeconds} an integer of at least 300 (shields.io
 * ignores less).
 */
final class ShieldsSchema {

    private static final Set<String> KEYS = Set.of("schemaVersion", "label", "message", "color", "labelColor",
            "isError", "namedLogo", "logoSvg", "style", "link", "cacheSeconds");

    private static final Set<String> NAMED_COLORS = Set.of("brightgreen", "green", "yellowgreen", "yellow", "orange",
            "red", "blue", "grey", "gray", "lightgrey", "lightgray", "success", "important", "critical",
            "informational", "inactive");

    private ShieldsSchema() {
    }

    /** Fails unless {@code body} follows the schema; answers its fields. */
    static Map<String, Object> assertValid(String body) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        try (JsonParser json = new JsonFactory().createParser(body)) {
            assertEquals(JsonToken.START_OBJECT, json.nextToken(), "an object: " + body);
            for (JsonToken token = json.nextToken(); token != JsonToken.END_OBJECT; token = json.nextToken()) {
                String key = json.currentName();
                assertTrue(KEYS.contains(key), "shields.io refuses the unknown key " + key + ": " + body);
                JsonToken value = json.nextToken();
                Object read = switch (value) {
                    case VALUE_NUMBER_INT -> json.getLongValue();
                    case VALUE_STRING -> json.getText();
                    case VALUE_TRUE, VALUE_FALSE -> json.getBooleanValue();
                    default -> throw new AssertionError(key + " is " + value + ", no field of the schema is: " + body);
                };
                assertNull(fields.put(key, read), "twice: " + key);
            }
            assertNull(json.nextToken(), "nothing after the object: " + body);
        }
        assertEquals(1L, fields.get("schemaVersion"), "schemaVersion is required, always the number 1: " + body);
        assertTrue(fields.get("label") instanceof String, "label is a required string: " + body);
        assertTrue(fields.get("message") instanceof String message && !message.isEmpty(),
                "message is a required string, not empty: " + body);
        if (fields.containsKey("color")) {
            assertTrue(fields.get("color") instanceof String, "color is a string: " + body);
            String color = (String) fields.get("color");
            assertDoesNotThrow(() -> BadgeColor.fromQuery(color), "a colour shields.io knows: " + body);
            assertTrue(NAMED_COLORS.contains(color) || !color.startsWith("#"),
                    "a named colour or hex digits without '#': " + body);
        }
        if (fields.containsKey("isError")) {
            assertTrue(fields.get("isError") instanceof Boolean, "isError is a boolean: " + body);
        }
        if (fields.containsKey("cacheSeconds")) {
            assertTrue(fields.get("cacheSeconds") instanceof Long seconds && seconds >= 300,
                    "cacheSeconds is an integer of at least 300: " + body);
        }
        assertFalse(fields.containsKey("namedLogo") && fields.containsKey("logoSvg"), "one logo at most: " + body);
        return fields;
    }
}
