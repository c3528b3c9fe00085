package dev.hitcounter.owner;

import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;

import dev.hitcounter.counter.RedisCommands;
import dev.hitcounter.pages.Cors;
import dev.hitcounter.pages.PageKeys;
import dev.hitcounter.pages.PageReads;
import dev.hitcounter.system.OwnerSettings;
import dev.hitcounter.system.PageSettings;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;

/**
 * The owner's side (issue 24), registered in the app's context: a page's history, its set count and its removal
 * under {@code /api/pages/}, and the {@code /stats} page. Closing it answers the reads still waiting.
 */
public final class OwnerEndpoints implements AutoCloseable {

    private final PageReads reads;

    private OwnerEndpoints(PageReads reads) {
        this.reads = reads;
    }

    /**
     * Registers the endpoints; call it after the filter that answers every response is added, so that they carry its
     * headers.
     *
     * @param redis where the Redis that counts the pages takes commands (a pool, or a cluster), or empty when they are counted in memory: then the
     *              owner's endpoints answer that they need Redis
     */
    public static OwnerEndpoints register(ServletContext context, PageSettings pages, OwnerSettings owner,
            Optional<RedisCommands> redis, long timeoutMillis) {
        Optional<OwnerStore> store = redis.map(commands -> new RedisOwnerStore(commands,
                new PageKeys(pages.keyPrefix(), commands.isCluster()),
                Clock.systemUTC(), pages.historyDays(), pages.maxPages()));
        PageReads reads = new PageReads(timeoutMillis);
        AdminAccess admin = new AdminAccess(owner.adminToken());
        FilterRegistration.Dynamic api = context.addFilter("owner-api", new OwnerApiFilter(pages, store, reads, admin,
                new Cors(pages.corsOrigins())));
        api.setAsyncSupported(true);
        api.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, OwnerApiFilter.PATH + "*");
        ServletRegistration.Dynamic stats = context.addServlet("stats",
                new StatsServlet(pages, store, reads, admin, owner.statsPublic()));
        stats.setAsyncSupported(true);
        stats.addMapping(StatsServlet.PATH);
        return new OwnerEndpoints(reads);
    }

    @Override
    public void close() {
        reads.close();
    }
}
