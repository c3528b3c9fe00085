package dev.hitcounter.pages;

import java.util.Optional;
import java.util.OptionalLong;

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

    /** The page's unique visitors today only, for a badge that shows them alone; empty when they are not counted. */
    default OptionalLong countToday(String page) throws CounterUnavailableException {
        return counts(page).map(counts -> OptionalLong.of(counts.today())).orElseGet(OptionalLong::empty);
    }

    /** The page's unique visitors over the last seven days only; empty when they are not counted. */
    default OptionalLong countLastSevenDays(String page) throws CounterUnavailableException {
        return counts(page).map(counts -> OptionalLong.of(counts.lastSevenDays())).orElseGet(OptionalLong::empty);
    }
}
