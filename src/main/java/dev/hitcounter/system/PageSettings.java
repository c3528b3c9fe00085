package dev.hitcounter.system;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The settings of counting any page (badges, the JSON API, unique visitors), read with the others at start-up.
 *
 * @param keyPrefix      what every page key starts with, before a ':' ({@code PAGE_KEY_PREFIX}): a page's count is
 *                       under {@code prefix:page}, apart from {@code views}
 * @param maxPages       most pages that may exist ({@code MAX_PAGES}); a new page beyond it is refused
 * @param allowed        the only page names counted ({@code PAGES}); empty: any valid name
 * @param uniqueVisitors whether unique visitors are counted ({@code UNIQUE_VISITORS})
 * @param corsOrigins    the origins whose scripts may call the JSON API ({@code CORS_ORIGINS}); {@code *}: any
 * @param trustedProxies the proxies whose {@code X-Forwarded-For} is believed ({@code TRUSTED_PROXIES}); empty: none
 * @param uniqueVisitorsSecret the secret that keys the visitor values ({@code UNIQUE_VISITORS_SECRET_FILE}); empty: a
 *                       random one per process
 * @param historyDays    how many days each page's views per day are kept ({@code HISTORY_DAYS}, issue 24)
 * @param countBots      whether views whose User-Agent is a known crawler's count ({@code COUNT_BOTS})
 * @param countOncePerMillis the window in which a visitor's views of a page count once ({@code COUNT_ONCE_PER});
 *                       0: every view counts
 */
public record PageSettings(
        String keyPrefix,
        int maxPages,
        Optional<Set<String>> allowed,
        boolean uniqueVisitors,
        List<String> corsOrigins,
        Optional<Pattern> trustedProxies,
        Optional<UniqueVisitorsSecret> uniqueVisitorsSecret,
        int historyDays,
        boolean countBots,
        long countOncePerMillis) {

    /** The longest page name. */
    public static final int MAX_PAGE_NAME_LENGTH = 64;

    static final int DEFAULT_MAX_PAGES = 10_000;

    /** The default of {@code HISTORY_DAYS}: a year and a month, to compare a day with the same day a year ago. */
    static final int DEFAULT_HISTORY_DAYS = 400;

    private static final String SECRET_FILE = "UNIQUE_VISITORS_SECRET_FILE";

    public PageSettings {
        allowed = allowed.map(Set::copyOf);
        // Pages beyond MAX_PAGES would be answered 404 on their first view: say so at start-up instead.
        if (allowed.isPresent() && allowed.get().size() > maxPages) {
            throw new SettingsException("PAGES names " + allowed.get().size() + " pages but MAX_PAGES=" + maxPages
                    + " lets at most " + maxPages + " exist: set MAX_PAGES to at least " + allowed.get().size()
                    + " or list fewer pages");
        }
        corsOrigins = List.copyOf(corsOrigins);
    }

    static PageSettings from(Map<String, String> env) {
        return new PageSettings(
                keyPrefix(env),
                Variables.number(env, "MAX_PAGES", DEFAULT_MAX_PAGES, 1, 10_000_000),
                allowed(env),
                Variables.flag(env, "UNIQUE_VISITORS", true),
                corsOrigins(env),
                trustedProxies(env),
                Optional.ofNullable(Variables.value(env, SECRET_FILE))
                        .map(file -> UniqueVisitorsSecret.read(SECRET_FILE, file)),
                Variables.number(env, "HISTORY_DAYS", DEFAULT_HISTORY_DAYS, 1, 3660),
                Variables.flag(env, "COUNT_BOTS", false),
                countOncePer(env));
    }

    private static long countOncePer(Map<String, String> env) {
        String window = Variables.value(env, "COUNT_ONCE_PER");
        if (window == null) {
            return 0;
        }
        Matcher parts = Pattern.compile("([1-9][0-9]{0,4})(s|m|h)").matcher(window);
        if (!parts.matches()) {
            throw new SettingsException("COUNT_ONCE_PER", window, "a window in which a visitor's views of a page "
                    + "count once: a number and s, m or h, e.g. 30m (unset: every view counts)");
        }
        long unit = switch (parts.group(2)) {
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            default -> 3_600_000L;
        };
        long millis = Long.parseLong(parts.group(1)) * unit;
        if (millis > 86_400_000L) {
            throw new SettingsException("COUNT_ONCE_PER", window, "a window of at most 24h (the visitor values "
                    + "change at midnight UTC, so a longer one could not hold), e.g. 30m");
        }
        return millis;
    }

    /** Whether {@code PAGES} lets {@code name} count: any name when it is unset. */
    public boolean isCounted(String name) {
        return allowed.map(names -> names.contains(name)).orElse(true);
    }

    /** The settings in a line; unique visitors are said to be off without Redis, whatever UNIQUE_VISITORS says. */
    String describe(boolean usesRedis) {
        String uniques = !usesRedis ? "UNIQUE_VISITORS=off (unique visitors need Redis)"
                : !uniqueVisitors ? "UNIQUE_VISITORS=false"
                : "UNIQUE_VISITORS=true, " + SECRET_FILE + "="
                        + uniqueVisitorsSecret.map(Object::toString).orElse("unset (a random secret per process)");
        return "PAGE_KEY_PREFIX=" + keyPrefix
                + ", MAX_PAGES=" + maxPages
                + ", PAGES=" + allowed.map(names -> names.size() + " names").orElse("any")
                + ", " + uniques
                + ", CORS_ORIGINS=" + (corsOrigins.isEmpty() ? "none" : String.join(",", corsOrigins))
                + ", TRUSTED_PROXIES=" + trustedProxies.map(Pattern::pattern).orElse("none")
                + ", HISTORY_DAYS=" + historyDays
                + ", COUNT_BOTS=" + countBots
                + ", COUNT_ONCE_PER=" + (countOncePerMillis == 0 ? "unset" : countOncePerMillis / 1000 + "s");
    }

    private static String keyPrefix(Map<String, String> env) {
        String prefix = Variables.value(env, "PAGE_KEY_PREFIX");
        if (prefix == null) {
            return "page";
        }
        if (!prefix.matches("[\\p{Graph}]{1,64}")) {
            throw new SettingsException("PAGE_KEY_PREFIX", prefix,
                    "1-64 visible ASCII characters without spaces, which start every page's Redis key before a ':' "
                            + "(default page, for keys like page:home)");
        }
        return prefix;
    }

    private static Optional<Set<String>> allowed(Map<String, String> env) {
        String list = Variables.value(env, "PAGES");
        if (list == null) {
            return Optional.empty();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String name : list.split(",", -1)) {
            if (!isPageName(name.strip())) {
                throw new SettingsException("PAGES", list, "a comma-separated list of page names, each 1-64 "
                        + "letters, digits, '.', '_', '~' or '-' (not . or ..), e.g. home,blog.first-post");
            }
            names.add(name.strip());
        }
        return Optional.of(names);
    }

    /**
     * Whether {@code name} is a page name, in PAGES as in a request: 1 to 64 characters of {@code A-Z a-z 0-9 . _ ~ -}
     * (RFC 3986's unreserved characters, so it never needs percent-encoding), and neither {@code .} nor {@code ..}.
     */
    public static boolean isPageName(String name) {
        if (name.isEmpty() || name.length() > MAX_PAGE_NAME_LENGTH) {
            return false;
        }
        // "." and ".." are path segments that clients and proxies normalise away (RFC 3986 section 5.2.4):
        // /badge/../x.svg would never reach the app as that page, so such a name could never be shown.
        if (name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isUnreserved(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    // Explicit ASCII ranges, and no regex: this runs on every request for a page. Character.isLetterOrDigit would let
    // in every script's letters and digits.
    private static boolean isUnreserved(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '~' || c == '-';
    }

    private static List<String> corsOrigins(Map<String, String> env) {
        String list = Variables.value(env, "CORS_ORIGINS");
        if (list == null) {
            return List.of();
        }
        if (list.equals("*")) {
            return List.of("*");
        }
        List<String> origins = new ArrayList<>();
        for (String origin : list.split(",", -1)) {
            // An origin as browsers send it: scheme, host and a port only when it is not the scheme's default.
            if (!origin.strip().matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                throw new SettingsException("CORS_ORIGINS", list, "* or a comma-separated list of origins, "
                        + "each scheme://host[:port] with no path, e.g. https://blog.example.com,http://localhost:4000");
            }
            origins.add(origin.strip().toLowerCase(java.util.Locale.ROOT));
        }
        return origins;
    }

    private static Optional<Pattern> trustedProxies(Map<String, String> env) {
        String regex = Variables.value(env, "TRUSTED_PROXIES");
        if (regex == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new SettingsException("TRUSTED_PROXIES", regex, "a Java regular expression matching the proxies' "
                    + "IP addresses, as Tomcat's RemoteIpFilter takes it, e.g. 10\\.0\\.0\\.\\d+|172\\.18\\.0\\.2");
        }
    }
}
