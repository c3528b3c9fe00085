package dev.hitcounter.pages;

import java.util.Optional;

import dev.hitcounter.counter.CounterUnavailableException;

/** The unique visitors of each page, today and over the last seven days, kept without storing who they were. */
interface UniqueVisits {

    /** Unique visitors of one page. */
    record Counts(long today, long lastSevenDays) {
    }

    /** Counts no one: {@code UNIQUE_VISITORS=false}, or no Redis to keep them in. */
    UniqueVisits NONE = new UniqueVisits() {
        @Override
        public Optional<Counts> counts(String page) {
            return Optional.empty();
        }
    };

    /** The page's unique visitors, or empty when they are not counted. */
    Optional<Counts> counts(String page) throws CounterUnavailableException;
}
