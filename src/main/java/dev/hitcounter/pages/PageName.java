package dev.hitcounter.pages;

import dev.hitcounter.system.PageSettings;

/**
 * A page's name as it appears in URLs and Redis keys, case-sensitive, as {@link PageSettings#isPageName} defines it
 * for PAGES too: 1 to 64 characters of {@code A-Z a-z 0-9 . _ ~ -}, and neither {@code .} nor {@code ..}.
 *
 * @param value the name, already checked
 */
record PageName(String value) {

    static final int MAX_LENGTH = PageSettings.MAX_PAGE_NAME_LENGTH;

    static final String RULE = "A page name is 1 to 64 characters of letters A-Z and a-z, digits and . _ ~ -"
            + " (but not . or .. alone).";

    /** Checks {@code value}; throws {@link BadRequestException} with {@link #RULE} when it is not a page name. */
    PageName {
        if (value == null || !PageSettings.isPageName(value)) {
            throw new BadRequestException(RULE);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
