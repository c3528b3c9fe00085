package dev.hitcounter.pages;

import java.util.Map;

import dev.hitcounter.counter.CounterUnavailableException;

/** The page counts in Redis, one {@code count-pages.lua} call per batch ({@link PageBatchScript}). */
final class RedisPageCounter implements PageCounter {

    private final PageBatchScript script;

    RedisPageCounter(PageBatchScript script) {
        this.script = script;
    }

    @Override
    public Map<String, PageOutcome> add(Map<String, Integer> views) throws CounterUnavailableException {
        return script.add(views);
    }

    @Override
    public long views(String page) throws CounterUnavailableException {
        return script.views(page).orElse(0);
    }
}
