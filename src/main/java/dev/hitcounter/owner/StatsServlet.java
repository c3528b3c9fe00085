package dev.hitcounter.owner;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import dev.hitcounter.counter.PendingView;
import dev.hitcounter.pages.PageReads;
import dev.hitcounter.system.HtmlPage;
import dev.hitcounter.system.PageSettings;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /stats}: the stats page ({@link StatsPage}), for anyone with {@code STATS_VISIBILITY=public}, else only
 * with the admin token (a browser's Basic prompt, any user name and the token as password, or a Bearer header). Read
 * on {@link PageReads}' threads, never holding the request thread.
 */
final class StatsServlet extends HttpServlet {

    static final String PATH = "/stats";
    static final int DAYS = 90;

    /** What one read of the store gives the page. */
    private record Read(List<OwnerStore.Summary> pages, Optional<List<OwnerStore.Day>> days) {
    }

    private static final PendingView.Answers FAILURES = new PendingView.Answers() {
        @Override
        public void counted(HttpServletResponse response, long views) {
            throw new IllegalStateException("the stats page counts nothing");
        }

        @Override
        public void rejected(HttpServletResponse response) throws IOException {
            HtmlPage.send(response, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Stats unavailable",
                    "A stored count is not a number; the operator has to fix it.");
        }

        @Override
        public void unavailable(HttpServletResponse response) throws IOException {
            response.setHeader("Retry-After", "1");
            HtmlPage.send(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Stats unavailable",
                    "The counter's store is not answering; try again in a second.");
        }
    };

    private final transient PageSettings settings;
    private final transient Optional<OwnerStore> store;
    private final transient PageReads reads;
    private final transient AdminAccess admin;
    private final boolean isPublic;

    StatsServlet(PageSettings settings, Optional<OwnerStore> store, PageReads reads, AdminAccess admin,
            boolean isPublic) {
        this.settings = settings;
        this.store = store;
        this.reads = reads;
        this.admin = admin;
        this.isPublic = isPublic;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!isPublic && !admin.enabled()) {
            HtmlPage.send(response, HttpServletResponse.SC_NOT_FOUND, "Not found", "The stats page is private and "
                    + "no admin token is set: set ADMIN_TOKEN_FILE, or STATS_VISIBILITY=public.");
            return;
        }
        if (!isPublic && !admin.allows(request, true)) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"hit-counter stats\", charset=\"UTF-8\"");
            HtmlPage.send(response, HttpServletResponse.SC_UNAUTHORIZED, "Admin token needed",
                    "The stats page needs the admin token: as the password (any user name), or as a Bearer token.");
            return;
        }
        if (store.isEmpty()) {
            HtmlPage.send(response, HttpServletResponse.SC_NOT_FOUND, "Not found",
                    "The stats page needs Redis: this counter counts in memory (REDIS_URL is unset).");
            return;
        }
        String sortName = request.getParameter("sort");
        Optional<StatsPage.Column> sort = sortName == null ? Optional.of(StatsPage.Column.TOTAL)
                : StatsPage.Column.named(sortName);
        Optional<String> page = Optional.ofNullable(request.getParameter("page"));
        if (sort.isEmpty() || page.filter(name -> !PageSettings.isPageName(name)).isPresent()) {
            HtmlPage.send(response, HttpServletResponse.SC_BAD_REQUEST, "Bad request",
                    "sort is one of page, total, today, week, uniques; page is a page name.");
            return;
        }
        OwnerStore redis = store.get();
        StatsPage.Column column = sort.get();
        reads.serve(request, new PageReads.Key("stats", page.orElse("")),
                () -> new Read(redis.pages(), page.isPresent()
                        ? Optional.of(redis.history(page.get(), Math.min(DAYS, settings.historyDays())))
                        : Optional.empty()),
                (answer, read) -> {
                    answer.setStatus(HttpServletResponse.SC_OK);
                    answer.setHeader("Content-Security-Policy", StatsPage.CONTENT_SECURITY_POLICY);
                    answer.setHeader("Cache-Control", "no-store");
                    answer.setContentType("text/html");
                    answer.setCharacterEncoding("UTF-8");
                    answer.getWriter().write(StatsPage.render(read.pages(), column, page, read.days()));
                }, FAILURES);
    }
}
