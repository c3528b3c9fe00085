package dev.hitcounter.pages;

/**
 * A page's name as it appears in URLs and Redis keys: 1 to 64 characters of {@code A-Z a-z 0-9 . _ ~ -} (RFC 3986's
 * unreserved characters, so it never needs percent-encoding), case-sensitive, and neither {@code .} nor {@code ..}.
 *
 * @param value the name, already checked
 */
record PageName(String value) {

    static final int MAX_LENGTH = 64;

    static final String RULE = "A page name is 1 to 64 characters of letters A-Z and a-z, digits and . _ ~ -"
            + " (but not . or .. alone).";

    /** Checks {@code value}; throws {@link BadRequestException} with {@link #RULE} when it is not a page name. */
    PageName {
        if (value == null || !isValid(value)) {
            throw new BadRequestException(RULE);
        }
    }

    private static boolean isValid(String value) {
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        // "." and ".." are path segments that clients and proxies normalise away (RFC 3986 section 5.2.4):
        // /badge/../x.svg would never reach us as that page, so such a name could never be shown.
        if (value.equals(".") || value.equals("..")) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (!isAllowed(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    // Explicit ASCII ranges: Character.isLetterOrDigit would let in every script's letters and digits.
    private static boolean isAllowed(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '~' || c == '-';
    }

    @Override
    public String toString() {
        return value;
    }
}
