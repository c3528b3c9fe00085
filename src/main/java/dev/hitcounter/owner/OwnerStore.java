package dev.hitcounter.owner;

import java.time.LocalDate;
import java.util.List;

import dev.hitcounter.counter.CounterUnavailableException;

/** What the owner's side reads and writes of the pages: their days, their totals, a set count and a removal. */
interface OwnerStore {

    /** A page's views and unique visitors on one UTC day. */
    record Day(LocalDate date, long views, long uniqueVisitors) {
    }

    /** A page's counts for the stats page. */
    record Summary(String page, long total, long today, long lastSevenDays, long uniqueVisitors) {
    }

    /** What setting a count did. */
    enum SetOutcome {
        CREATED, SET, FULL
    }

    /** The page's last {@code days} days up to today (UTC), oldest first, a day without views as 0. */
    List<Day> history(String page, int days) throws CounterUnavailableException;

    /** Every known page's counts, in no particular order. */
    List<Summary> pages() throws CounterUnavailableException;

    /** Sets the page's count, creating it only while fewer than {@code MAX_PAGES} pages exist. */
    SetOutcome set(String page, long views) throws CounterUnavailableException;

    /** Removes the page and everything kept of it; whether it existed. */
    boolean remove(String page) throws CounterUnavailableException;
}
