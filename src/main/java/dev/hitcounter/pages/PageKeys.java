package dev.hitcounter.pages;

import java.time.LocalDate;

/**
 * The Redis key of everything a page has, in one place: {@code prefix:page} for its count, {@code prefix:known:pages}
 * for the set of pages, {@code prefix:uniques:page:YYYY-MM-DD} for a day's visitors. In a Redis Cluster the prefix is
 * a hash tag, {@code {prefix}:…}, so that every key of a batch's one script call hashes to the same slot: the check of
 * {@code MAX_PAGES} and the counts stay one atomic step and one round trip (docs/scaling.md, Redis Cluster).
 */
final class PageKeys {

    private final String start;

    /**
     * @param prefix  {@code PAGE_KEY_PREFIX}
     * @param cluster whether Redis is a cluster (hash-tagged keys); one Redis keeps the names it always had
     */
    PageKeys(String prefix, boolean cluster) {
        this.start = cluster ? "{" + prefix + "}" : prefix;
    }

    /** The key of a page's count. */
    String count(String page) {
        return start + ":" + pageName(page);
    }

    /** The SET of the names of all pages that exist; its size is what {@code MAX_PAGES} bounds. */
    String knownPages() {
        return start + ":known:pages";
    }

    /** The HyperLogLog of a page's visitors on a day. */
    String uniques(String page, LocalDate day) {
        return start + ":uniques:" + pageName(page) + ":" + day;
    }

    // Page names never hold ':' (issue 12), which keeps them apart from the other keys under the prefix.
    private static String pageName(String page) {
        if (page.indexOf(':') >= 0) {
            throw new IllegalArgumentException("not a page name: " + page);
        }
        return page;
    }
}
