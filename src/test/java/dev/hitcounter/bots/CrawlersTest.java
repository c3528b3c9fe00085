package dev.hitcounter.bots;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

/** The crawler-user-agents list as the build takes it in: its bots recognised, browsers and image relays not. */
class CrawlersTest {

    private final Crawlers crawlers = Crawlers.load(new PrometheusRegistry());

    @Test
    void everyExampleInTheListIsABotButTheRelays() throws IOException {
        List<String> bots = new ArrayList<>();
        List<String> relays = new ArrayList<>();
        try (InputStream in = Crawlers.class.getResourceAsStream(Crawlers.LIST);
             JsonParser json = new JsonFactory().createParser(in)) {
            String pattern = null;
            JsonToken token;
            while ((token = json.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME && "pattern".equals(json.currentName())) {
                    json.nextToken();
                    pattern = json.getText();
                } else if (token == JsonToken.FIELD_NAME && "instances".equals(json.currentName())) {
                    json.nextToken();
                    while (json.nextToken() == JsonToken.VALUE_STRING) {
                        (Crawlers.RELAYS.contains(pattern) ? relays : bots).add(json.getText());
                    }
                }
            }
        }
        assertTrue(bots.size() > 1000, "the list has its examples: " + bots.size());
        for (String bot : bots) {
            assertTrue(crawlers.test(bot), bot);
        }
        assertEquals(Crawlers.RELAYS.size(), Crawlers.RELAYS.stream().filter(relay ->
                Crawlers.patterns().stream().noneMatch(relay::equals)).count(), "the relays are left out");
        assertFalse(relays.isEmpty(), "the relays are still in the list: check RELAYS when updating it");
    }

    @Test
    void browsersAndGithubsCamoAreNotBots() {
        for (String person : List.of(
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
                        + "Safari/537.36",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                        + "Version/17.5 Mobile/15E148 Safari/604.1",
                "github-camo (876de43e)", "")) {
            assertFalse(crawlers.test(person), person);
        }
        for (String bot : List.of("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "curl/8.5.0", "python-requests/2.31.0", "Mozilla/5.0 (compatible; bingbot/2.0)")) {
            assertTrue(crawlers.test(bot), bot);
        }
    }
}
