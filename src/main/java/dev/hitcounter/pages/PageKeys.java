package dev.hitcounter.pages;

import java.time.LocalDate;

/**
 * The name of every Redis key of the pages, in one place: a page's count, the set of known pages, a page's unique
 * visitors of a day, its views of a day (issue 24) and its visitors' last counted views for {@code COUNT_ONCE_PER}.
 * In a Redis Cluster the prefix is a hash tag, {@code {prefix}:…}, so that every key of one script call hashes to the
 * same slot: the check of {@code MAX_PAGES} and the counts stay one atomic step and one round trip (docs/scaling.md,
 * Redis Cluster).
 */
public final class PageKeys {

    private final String start;

    /**
     * @param prefix  what every key starts with, before a ':' ({@code PAGE_KEY_PREFIX})
     * @param cluster whether Redis is a cluster (hash-tagged keys); one Redis keeps the names it always had
     */
    public PageKeys(String prefix, boolean cluster) {
        this.start = cluster ? "{" + prefix + "}" : prefix;
    }

    /** The count of a page. */
    public String count(String page) {
        return start + ":" + checked(page);
    }

    /** The SET of the names of all pages that exist; its size is what {@code MAX_PAGES} bounds. */
    public String knownPages() {
        return start + ":known:pages";
    }

    /** The HyperLogLog of a page's visitors on a day. */
    public String uniques(String page, LocalDate day) {
        return start + ":uniques:" + checked(page) + ":" + day;
    }

    /** The HASH of a page's views on a day (fields {@code views} and {@code uniques}). */
    public String day(String page, LocalDate day) {
        return start + ":days:" + checked(page) + ":" + day;
    }

    /** The sorted set of a page's visitor values by the time of their last counted view ({@code COUNT_ONCE_PER}). */
    public String window(String page) {
        return start + ":once:" + checked(page);
    }

    // Page names never hold ':' (issue 12), which keeps a page's keys apart from the others under the prefix.
    private static String checked(String page) {
        if (page.indexOf(':') >= 0) {
            throw new IllegalArgumentException("not a page name: " + page);
        }
        return page;
    }
}
