package dev.hitcounter;

import java.util.EnumSet;
import java.util.Optional;
import java.util.logging.Logger;

import dev.hitcounter.bots.Crawlers;
import dev.hitcounter.counter.AsyncCoalescer;
import dev.hitcounter.counter.Counter;
import dev.hitcounter.counter.InMemoryCounter;
import dev.hitcounter.counter.HomePageServlet;
import dev.hitcounter.counter.RedisClients;
import dev.hitcounter.owner.OwnerEndpoints;
import dev.hitcounter.pages.PageEndpoints;
import dev.hitcounter.system.ErrorPages;
import dev.hitcounter.system.HealthServlet;
import dev.hitcounter.system.Metrics;
import dev.hitcounter.system.ReadinessServlet;
import dev.hitcounter.system.ResponseFilter;
import dev.hitcounter.system.Settings;
import dev.hitcounter.system.SettingsException;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;

/**
 * The one place that wires the app: builds the counter from the settings, registers the servlets
 * and the filter, and closes the Redis client when the app stops. A standalone Tomcat finds it
 * through {@code WEB-INF/web.xml} and it reads the environment; the embedded launcher registers it
 * by name and hands it the settings it has read.
 */
public final class HitCounterApp implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(HitCounterApp.class.getName());

    /** The context attribute through which the embedded launcher hands over the settings it has read. */
    static final String SETTINGS = Settings.class.getName();

    private Counter counter;
    private AsyncCoalescer coalescer;
    private PageEndpoints pages;
    private OwnerEndpoints owner;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        Settings settings = context.getAttribute(SETTINGS) instanceof Settings given ? given : settingsFromEnvironment();
        LOG.info(() -> "hit-counter starting: " + settings.describe());
        Metrics metrics = new Metrics();
        metrics.watchJvmAndConnectors();
        Optional<RedisClients.RedisStore> redis = settings.usesRedis()
                ? Optional.of(RedisClients.store(settings, metrics))
                : Optional.empty();
        counter = redis.map(RedisClients.RedisStore::counter).orElseGet(HitCounterApp::inMemoryCounter);
        // The in-memory counter never waits, so its views stay on the request thread.
        HomePageServlet page;
        if (settings.usesRedis() && settings.coalesce()) {
            coalescer = AsyncCoalescer.start(counter, metrics, settings.answerTimeoutMillis());
            page = new HomePageServlet(coalescer);
        } else {
            page = new HomePageServlet(counter, metrics);
        }

        // Before the responses filter: Tomcat's RemoteIpFilter, if TRUSTED_PROXIES asks for it, comes first.
        pages = PageEndpoints.register(context, settings.pages(), redis.map(RedisClients.RedisStore::commands), metrics,
                settings.answerTimeoutMillis(), settings.waitReplicas(), settings.readTimeoutMillis() / 2,
                Crawlers.load(metrics.registry()));
        // Asynchronous requests pass only through filters and servlets that support them.
        FilterRegistration.Dynamic responses = context.addFilter("responses", new ResponseFilter(metrics));
        responses.setAsyncSupported(true);
        responses.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR), false, "/*");
        owner = OwnerEndpoints.register(context, settings.pages(), settings.owner(),
                redis.map(RedisClients.RedisStore::commands), settings.answerTimeoutMillis());
        ServletRegistration.Dynamic pageRegistration = context.addServlet("page", page);
        pageRegistration.setAsyncSupported(true);
        pageRegistration.addMapping("");
        context.addServlet("healthz", new HealthServlet()).addMapping("/healthz");
        ServletRegistration.Dynamic readyz = context.addServlet("readyz",
                new ReadinessServlet(this::notReadyBecause, settings.answerTimeoutMillis()));
        readyz.setAsyncSupported(true);
        readyz.addMapping("/readyz");
        context.addServlet("metrics", new PrometheusMetricsServlet(metrics.registry())).addMapping("/metrics");
        // "/" makes it the default servlet; the JSP patterns shadow a standalone Tomcat's global
        // JSP servlet, which would otherwise answer *.jsp paths with its own error page.
        context.addServlet("errors", new ErrorPages()).addMapping("/", "*.jsp", "*.jspx");
    }

    /** Runs after Tomcat has waited up to its unload delay for the requests in flight. */
    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (owner != null) {
            owner.close();
        }
        if (pages != null) {
            pages.close();
        }
        if (coalescer != null) {
            coalescer.close();
        }
        if (counter != null) {
            counter.close();
        }
    }

    /** For /readyz: the views are answered only while the coalescer runs and the store answers. */
    private Optional<String> notReadyBecause() {
        if (coalescer != null && !coalescer.isRunning()) {
            return Optional.of("the view coalescer is not running");
        }
        if (pages != null && !pages.isRunning()) {
            return Optional.of("the page view coalescer is not running");
        }
        // The counter says why: refused credentials are a setting to fix, not an outage (issue 21 item 17).
        return counter.notReadyBecause();
    }

    private static Settings settingsFromEnvironment() {
        try {
            return Settings.from(System.getenv());
        } catch (SettingsException e) {
            LOG.severe("hit-counter cannot start: " + e.getMessage());
            // A container should stop, not idle without its app: Tomcat would keep running.
            if ("true".equals(System.getenv("EXIT_ON_STARTUP_ERROR"))) {
                Runtime.getRuntime().halt(2);
            }
            throw e;
        }
    }

    private static Counter inMemoryCounter() {
        LOG.info("REDIS_URL is unset: counting in memory, and the count restarts with the process. "
                + "Set REDIS_URL=redis://host:6379 to keep it in Redis.");
        return new InMemoryCounter();
    }
}
