package dev.hitcounter.bots;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Whether a User-Agent is a crawler's or another bot's, by the patterns of the npm package crawler-user-agents (a
 * maintained list, taken in at build time with its version pinned in pom.xml, issue 24 part 5); each one recognised
 * counts in {@code hitcounter_page_views_not_counted_total{reason="bot"}}. Safe for any thread.
 */
public final class Crawlers implements Predicate<String> {

    static final String LIST = "crawler-user-agents.json";
    /**
     * The list's entries that are not bots but proxies fetching an image for a person reading: GitHub's camo for every
     * reader of a README, the mail services' for every reader of a mail. Their views are people's.
     */
    static final Set<String> RELAYS = Set.of("github-camo", "GoogleImageProxy", "YahooMailProxy",
            "StartpagePrivateImageProxy\\/");

    /** User-Agents whose answer is kept: a site's visitors use a few hundred, a flood of invented ones is cleared. */
    private static final int KEPT = 4096;

    private final Pattern any;
    private final Counter notCounted;
    private final Map<String, Boolean> known = new ConcurrentHashMap<>();

    Crawlers(List<String> patterns, Counter notCounted) {
        this.any = Pattern.compile(String.join("|", patterns));
        this.notCounted = notCounted;
    }

    /** The list from the classpath, its metric registered in {@code registry}. */
    public static Crawlers load(PrometheusRegistry registry) {
        Counter notCounted = Counter.builder()
                .name("hitcounter_page_views_not_counted_total")
                .help("Views of a page not counted, by reason: bot (the User-Agent is in the crawler-user-agents "
                        + "list and COUNT_BOTS is false)")
                .labelNames("reason")
                .withoutExemplars()
                .register(registry);
        notCounted.initLabelValues("bot");
        return new Crawlers(patterns(), notCounted);
    }

    /** Whether the views of {@code userAgent} are a bot's, counting it in the metric when they are. */
    @Override
    public boolean test(String userAgent) {
        Boolean bot = known.get(userAgent);
        if (bot == null) {
            bot = any.matcher(userAgent).find();
            if (known.size() >= KEPT) {
                known.clear();
            }
            known.put(userAgent, bot);
        }
        if (bot) {
            notCounted.labelValues("bot").inc();
        }
        return bot;
    }

    /** The {@code pattern} of each entry of the list. */
    static List<String> patterns() {
        try (InputStream in = Crawlers.class.getResourceAsStream(LIST)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + LIST + ": the build takes it from npm");
            }
            List<String> patterns = new ArrayList<>();
            try (JsonParser json = new JsonFactory().createParser(in)) {
                JsonToken token;
                while ((token = json.nextToken()) != null) {
                    if (token == JsonToken.FIELD_NAME && "pattern".equals(json.currentName())
                            && json.nextToken() == JsonToken.VALUE_STRING) {
                        if (!RELAYS.contains(json.getText())) {
                            patterns.add(json.getText());
                        }
                    }
                }
            }
            if (patterns.isEmpty()) {
                throw new IllegalStateException(LIST + " holds no pattern");
            }
            return patterns;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
