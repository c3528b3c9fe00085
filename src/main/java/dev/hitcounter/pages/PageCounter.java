package dev.hitcounter.pages;

import java.util.List;
import java.util.Map;

import dev.hitcounter.counter.CounterUnavailableException;

/** The view counts of any page, each under a key of its own: one atomic step per batch, and a bound on the pages. */
interface PageCounter {

    /**
     * Adds the views of each page in one atomic step and returns what happened to each: counted, or refused because
     * the page is new and {@code MAX_PAGES} pages exist (nothing created), or rejected by a bad value under its key.
     * {@code visits} are the same views as visitors, for the unique-visitor counts of the pages that were counted.
     */
    Map<String, PageOutcome> add(Map<String, Integer> views, List<UniqueVisitors.Visit> visits)
            throws CounterUnavailableException;

    /** The count of a page without counting: 0 for a page never counted. */
    long views(String page) throws CounterUnavailableException;
}
