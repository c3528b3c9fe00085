package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShieldsEndpointTest {

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {"0;0", "7;7", "1234;1,234", "1234567;1,234,567",
            "9223372036854775807;9,223,372,036,854,775,807"})
    void followsShieldsIosEndpointSchemaAndShowsTheCountAsTheBadgeDoes(long views, String message) throws Exception {
        String json = ShieldsEndpoint.json(views);
        Map<String, Object> fields = ShieldsSchema.assertValid(json);
        assertEquals(Map.of("schemaVersion", 1L, "label", "views", "message", message, "color", "blue",
                "cacheSeconds", 300L), fields);
        assertEquals("{\"schemaVersion\":1,\"label\":\"views\",\"message\":\"" + message
                + "\",\"color\":\"blue\",\"cacheSeconds\":300}", json.strip());
    }

    /** The check itself: each of these breaks one rule of the schema, so shields.io would show an error instead. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"label\":\"views\",\"message\":\"1\"}",
        "{\"schemaVersion\":\"1\",\"label\":\"views\",\"message\":\"1\"}",
        "{\"schemaVersion\":2,\"label\":\"views\",\"message\":\"1\"}",
        "{\"schemaVersion\":1,\"message\":\"1\"}",
        "{\"schemaVersion\":1,\"label\":\"views\",\"message\":\"\"}",
        "{\"schemaVersion\":1,\"label\":\"views\",\"message\":1}",
        "{\"schemaVersion\":1,\"label\":\"views\",\"message\":\"1\",\"views\":1}",
        "{\"schemaVersion\":1,\"label\":\"views\",\"message\":\"1\",\"cacheSeconds\":60}",
        "{\"schemaVersion\":1,\"label\":\"views\",\"message\":\"1\",\"cacheSeconds\":300.5}",
        "{\"schemaVersion\":1,\"label\":\"views\",\"message\":\"1\",\"color\":\"not a colour\"}",
        "{\"schemaVersion\":1,\"label\":\"views\",\"message\":\"1\",\"isError\":\"no\"}",
        "[{\"schemaVersion\":1,\"label\":\"views\",\"message\":\"1\"}]"})
    void theSchemaCheckRefusesWhatShieldsIoRefuses(String json) {
        assertThrows(AssertionError.class, () -> ShieldsSchema.assertValid(json));
    }
}
