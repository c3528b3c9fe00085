package dev.hitcounter.pages;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The page counts in this JVM only, for running without Redis: they restart at zero with the process, and unique
 * visitors are not counted.
 */
final class InMemoryPageCounter implements PageCounter {

    private final int maxPages;
    private final Map<String, Long> views = new HashMap<>();

    InMemoryPageCounter(int maxPages) {
        this.maxPages = maxPages;
    }

    @Override
    public synchronized Map<String, PageOutcome> add(Map<String, Integer> added, List<UniqueVisitors.Visit> visits) {
        Map<String, PageOutcome> outcomes = new LinkedHashMap<>();
        // No views (only bots' views): the count as it stands, and no page is created for them.
        added.forEach((page, n) -> outcomes.put(page, n == 0 ? new PageOutcome.Counted(views.getOrDefault(page, 0L))
                : views.containsKey(page) || views.size() < maxPages
                ? new PageOutcome.Counted(views.merge(page, (long) n, Long::sum))
                : new PageOutcome.Full()));
        return outcomes;
    }

    @Override
    public synchronized long views(String page) {
        return views.getOrDefault(page, 0L);
    }
}
