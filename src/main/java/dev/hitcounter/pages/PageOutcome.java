package dev.hitcounter.pages;

/** What one batch call of {@code count-pages.lua} did for one page. */
sealed interface PageOutcome {

    /** Counted: {@code views} is the page's count after this batch. */
    record Counted(long views) implements PageOutcome {
    }

    /** The page was new and {@code MAX_PAGES} pages were known already: nothing was counted or created. */
    record Full() implements PageOutcome {
    }

    /** The value under the page's key is not a counter ({@code reply} says why): nothing was counted. */
    record Rejected(String reply) implements PageOutcome {
    }
}
