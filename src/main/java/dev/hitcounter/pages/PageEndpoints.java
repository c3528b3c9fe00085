package dev.hitcounter.pages;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.logging.Logger;

import dev.hitcounter.counter.RedisCommands;
import dev.hitcounter.system.Metrics;
import dev.hitcounter.system.PageSettings;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import org.apache.catalina.filters.RemoteIpFilter;

/**
 * The endpoints of counting any page, registered in the app's context: the SVG badge ({@code /badge/*}) and the JSON
 * API ({@code /api/pages/*}), and Tomcat's RemoteIpFilter when {@code TRUSTED_PROXIES} is set. Closing it answers the
 * views and reads still waiting and stops their threads.
 */
public final class PageEndpoints implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PageEndpoints.class.getName());

    /** How many badge looks (label, colour, style) are kept rendered; a page's README rarely needs more than a few. */
    private static final int BADGE_LOOKS = 256;

    private final PageCoalescer coalescer;
    private final PageReads reads;

    private PageEndpoints(PageCoalescer coalescer, PageReads reads) {
        this.coalescer = coalescer;
        this.reads = reads;
    }

    /**
     * Registers the endpoints; call it before the filter that answers every response is added, so that the client's
     * address is known to everything after it.
     *
     * @param redis        where the Redis that counts {@code GET /} takes commands (a pool, or a cluster), or empty to
     *                     count in memory (and no unique visitors)
     * @param waitReplicas how many replicas must have a batch before its views are answered
     *                     ({@code REDIS_WAIT_REPLICAS}), and {@code waitMillis} the longest wait, as for {@code GET /}
     * @param bots         whether a User-Agent is a bot's, whose views are not counted unless {@code COUNT_BOTS=true}
     */
    public static PageEndpoints register(ServletContext context, PageSettings settings,
            Optional<RedisCommands> redis, Metrics metrics, long timeoutMillis, int waitReplicas,
            int waitMillis, Predicate<String> bots) {
        settings.trustedProxies().ifPresent(proxies -> {
            FilterRegistration.Dynamic remoteIp = context.addFilter("remote-ip", RemoteIpFilter.class);
            // Only these proxies' X-Forwarded-For is believed, and no other address is taken for one of them.
            remoteIp.setInitParameter("internalProxies", proxies.pattern());
            remoteIp.setInitParameter("trustedProxies", "");
            remoteIp.setAsyncSupported(true);
            remoteIp.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        });
        Optional<PageKeys> keys = redis.map(commands -> new PageKeys(settings.keyPrefix(), commands.isCluster()));
        boolean oncePer = redis.isPresent() && settings.countOncePerMillis() > 0;
        // COUNT_ONCE_PER keys its window by the visitor values, so it makes them with unique visitors off too.
        Optional<UniqueVisitors> uniques = redis.filter(commands -> settings.uniqueVisitors() || oncePer)
                .map(commands -> new UniqueVisitors(commands, keys.get(), settings.keyPrefix(), Clock.systemUTC(),
                        dayKeys(settings), settings.uniqueVisitors()));
        PageBatchScript.Days days = new PageBatchScript.Days(Clock.systemUTC(), settings.historyDays(),
                settings.countOncePerMillis());
        PageCounter store = redis.<PageCounter>map(commands -> new RedisPageCounter(new PageBatchScript(commands,
                        keys.get(), settings.maxPages(), waitReplicas, waitMillis, days), uniques))
                .orElseGet(() -> new InMemoryPageCounter(settings.maxPages()));
        UniqueVisits visits = uniques.filter(visitors -> settings.uniqueVisitors())
                .<UniqueVisits>map(visitors -> visitors).orElse(UniqueVisits.NONE);
        PageCoalescer coalescer = new PageCoalescer(store, metrics, timeoutMillis,
                settings.countBots() ? userAgent -> false : bots, oncePer);
        PageReads reads = new PageReads(timeoutMillis);
        Pages pages = new Pages(settings);
        ServletRegistration.Dynamic api = context.addServlet("page-api",
                new PageApiServlet(pages, coalescer, reads, store, visits, new Cors(settings.corsOrigins())));
        api.setAsyncSupported(true);
        api.addMapping(PageApiServlet.PATH + "*");
        ServletRegistration.Dynamic badges = context.addServlet("badge",
                new BadgeServlet(pages, coalescer, reads, store, visits,
                        new BadgeLooks(Badge.dejaVuSans(), BADGE_LOOKS)));
        badges.setAsyncSupported(true);
        badges.addMapping(BadgeServlet.PATH + "*");
        return new PageEndpoints(coalescer, reads);
    }

    /** The keys of the visitor values: from UNIQUE_VISITORS_SECRET_FILE, else from a secret of this process alone. */
    private static DayKeys dayKeys(PageSettings settings) {
        return settings.uniqueVisitorsSecret().map(secret -> new DayKeys(secret.bytes())).orElseGet(() -> {
            LOG.warning("UNIQUE_VISITORS_SECRET_FILE is unset: unique visitors are keyed by a random secret of this "
                    + "process. Replicas must share one secret file, or a visitor who reaches two replicas counts "
                    + "twice; and after a restart, today's returning visitors count once more. See docs/badges.md.");
            return DayKeys.random(new SecureRandom());
        });
    }

    /** Whether the thread that answers the views of pages is alive. */
    public boolean isRunning() {
        return coalescer.isRunning();
    }

    @Override
    public void close() {
        reads.close();
        coalescer.close();
    }
}
