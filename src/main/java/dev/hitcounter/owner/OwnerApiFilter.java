package dev.hitcounter.owner;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.hitcounter.pages.Cors;
import dev.hitcounter.pages.PageReads;
import dev.hitcounter.system.PageSettings;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The owner's endpoints beside the page API, taken before it: {@code GET /api/pages/{page}/history?days=N}, and with
 * {@code ADMIN_TOKEN_FILE} set {@code PUT} and {@code DELETE /api/pages/{page}}; anything else goes on to the page
 * API. Every call to the store runs on {@link PageReads}' threads, never on the request thread.
 */
final class OwnerApiFilter extends HttpFilter {

    static final String PATH = "/api/pages/";
    static final int DEFAULT_DAYS = 30;
    /** A body longer than this is no {@code {"views": N}}. */
    private static final int MAX_BODY = 1024;

    private static final Pattern HISTORY = Pattern.compile("([^/]+)/history");
    private static final Pattern PAGE = Pattern.compile("[^/]+");
    private static final JsonFactory JSON = new JsonFactory();

    private final transient PageSettings settings;
    private final transient Optional<OwnerStore> store;
    private final transient PageReads reads;
    private final transient AdminAccess admin;
    private final transient Cors cors;

    OwnerApiFilter(PageSettings settings, Optional<OwnerStore> store, PageReads reads, AdminAccess admin, Cors cors) {
        this.cors = cors;
        this.settings = settings;
        this.store = store;
        this.reads = reads;
        this.admin = admin;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String uri = request.getRequestURI();
        String prefix = request.getContextPath() + PATH;
        String rest = uri.startsWith(prefix) ? uri.substring(prefix.length()) : "";
        String method = request.getMethod();
        Matcher history = HISTORY.matcher(rest);
        boolean isHistory = history.matches() && (method.equals("GET") || method.equals("HEAD"));
        boolean isAdmin = PAGE.matcher(rest).matches() && (method.equals("PUT") || method.equals("DELETE"));
        if (isHistory || isAdmin) {
            // As on every answer of the page API: an allowed origin's script can read it, and caches keep origins apart.
            cors.allow(request, response);
        }
        if (isHistory) {
            history(request, response, history.group(1));
        } else if (isAdmin) {
            if (!admin.enabled()) {
                OwnerJson.error(response, HttpServletResponse.SC_NOT_FOUND,
                        "There is no such endpoint: PUT and DELETE need ADMIN_TOKEN_FILE to be set.");
            } else if (!admin.allows(request, false)) {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"hit-counter admin\"");
                OwnerJson.error(response, HttpServletResponse.SC_UNAUTHORIZED,
                        "This needs the admin token: Authorization: Bearer <the content of ADMIN_TOKEN_FILE>.");
            } else if (method.equals("PUT")) {
                set(request, response, rest);
            } else {
                remove(request, response, rest);
            }
        } else {
            chain.doFilter(request, response);
        }
    }

    private void history(HttpServletRequest request, HttpServletResponse response, String page) throws IOException {
        if (refused(response, page)) {
            return;
        }
        String asked = request.getParameter("days");
        int days = DEFAULT_DAYS;
        if (asked != null) {
            days = asked.matches("[0-9]{1,4}") ? Integer.parseInt(asked) : 0;
            if (days < 1 || days > settings.historyDays()) {
                OwnerJson.error(response, HttpServletResponse.SC_BAD_REQUEST,
                        "days must be a whole number from 1 to " + settings.historyDays() + " (HISTORY_DAYS).");
                return;
            }
        }
        OwnerStore redis = store.get();
        int wanted = Math.min(days, settings.historyDays());
        reads.serve(request, new PageReads.Key("history " + wanted, page), () -> redis.history(page, wanted),
                (answer, read) -> OwnerJson.history(answer, page, read), OwnerJson.FAILURES);
    }

    private void set(HttpServletRequest request, HttpServletResponse response, String page) throws IOException {
        if (refused(response, page)) {
            return;
        }
        OptionalLong views = views(request);
        if (views.isEmpty()) {
            OwnerJson.error(response, HttpServletResponse.SC_BAD_REQUEST,
                    "The body must be {\"views\": N} with N a whole number from 0 to " + Long.MAX_VALUE + ".");
            return;
        }
        OwnerStore redis = store.get();
        long count = views.getAsLong();
        // Identical PUTs in flight may share one call: setting the same count twice is setting it once.
        reads.serve(request, new PageReads.Key("set " + count, page), () -> redis.set(page, count),
                (answer, outcome) -> {
                    if (outcome == OwnerStore.SetOutcome.FULL) {
                        OwnerJson.error(answer, HttpServletResponse.SC_CONFLICT,
                                "This counter counts no new pages: it has as many as MAX_PAGES allows.");
                    } else {
                        OwnerJson.views(answer, outcome == OwnerStore.SetOutcome.CREATED
                                ? HttpServletResponse.SC_CREATED : HttpServletResponse.SC_OK, page, count);
                    }
                }, OwnerJson.FAILURES);
    }

    private void remove(HttpServletRequest request, HttpServletResponse response, String page) throws IOException {
        if (refused(response, page)) {
            return;
        }
        OwnerStore redis = store.get();
        reads.serve(request, new PageReads.Key("remove", page), () -> redis.remove(page),
                (answer, existed) -> {
                    if (existed) {
                        answer.setStatus(HttpServletResponse.SC_NO_CONTENT);
                        answer.setHeader("Cache-Control", "no-store");
                    } else {
                        OwnerJson.error(answer, HttpServletResponse.SC_NOT_FOUND, "There is no such page.");
                    }
                }, OwnerJson.FAILURES);
    }

    /** Answers a name that is not a page name (400), a page PAGES does not list (404), or no Redis (404). */
    private boolean refused(HttpServletResponse response, String page) throws IOException {
        if (!PageSettings.isPageName(page)) {
            OwnerJson.error(response, HttpServletResponse.SC_BAD_REQUEST, "A page name is 1-64 letters, digits, "
                    + "'.', '_', '~' or '-' (not . or ..).");
        } else if (!settings.isCounted(page)) {
            OwnerJson.error(response, HttpServletResponse.SC_NOT_FOUND,
                    "This counter does not count that page: it is not in the PAGES list.");
        } else if (store.isEmpty()) {
            OwnerJson.error(response, HttpServletResponse.SC_NOT_FOUND,
                    "The owner's endpoints need Redis: this counter counts in memory (REDIS_URL is unset).");
        } else {
            return false;
        }
        return true;
    }

    /** N of a {@code {"views": N}} body, or empty for anything else. */
    private static OptionalLong views(HttpServletRequest request) throws IOException {
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            return OptionalLong.empty();
        }
        try (JsonParser json = JSON.createParser(body)) {
            if (json.nextToken() != JsonToken.START_OBJECT || json.nextToken() != JsonToken.FIELD_NAME
                    || !"views".equals(json.currentName()) || json.nextToken() != JsonToken.VALUE_NUMBER_INT
                    || json.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                return OptionalLong.empty();
            }
            long views = json.getLongValue();
            if (views < 0 || json.nextToken() != JsonToken.END_OBJECT || json.nextToken() != null) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(views);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }
}
