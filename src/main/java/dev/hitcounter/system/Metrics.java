package dev.hitcounter.system;

import java.util.List;
import java.util.function.IntSupplier;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The app's Prometheus metrics, in a registry of its own that {@code /metrics} exposes. */
public final class Metrics {

    // No exemplars: nothing here traces requests, and exemplar sampling starts a scheduler thread per JVM
    // that Tomcat reports as leaked when the app stops.
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter views = Counter.builder()
            .name("hitcounter_views_total")
            .help("Views counted and shown (200 responses of GET /)")
            .withoutExemplars()
            .register(registry);
    private final Counter uncertainViews = Counter.builder()
            .name("hitcounter_views_uncertain_total")
            .help("Views not shown (answered 503, or the client had gone) whose increment was sent and may have counted in Redis")
            .withoutExemplars()
            .register(registry);
    private final Counter redisErrors = Counter.builder()
            .name("hitcounter_redis_errors_total")
            .help("Increments that failed, by kind: connect, pool_exhausted and known_down sent nothing; "
                    + "timeout and broken may still have counted in Redis; not_replicated counted in the primary "
                    + "but fewer replicas than REDIS_WAIT_REPLICAS acknowledged it; rejected (the value under the "
                    + "key is not a counter) and refused (Redis refuses writes for now: READONLY, MISCONF, OOM, "
                    + "NOREPLICAS) counted nothing")
            .labelNames("kind")
            .withoutExemplars()
            .register(registry);
    private final Histogram redisLatency = Histogram.builder()
            .name("hitcounter_redis_command_seconds")
            .help("Round trip of one Redis INCR/INCRBY, successful or not")
            .classicOnly()
            .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)
            .withoutExemplars()
            .register(registry);
    private final Counter responses = Counter.builder()
            .name("hitcounter_http_responses_total")
            .help("HTTP responses by status code")
            .labelNames("status")
            .withoutExemplars()
            .register(registry);

    public Metrics() {
        // Series that exist from the first scrape at 0, so that rate() over them and the alerts on them see a
        // healthy 0 instead of nothing (issue 25). The kinds are CounterUnavailableException.Kind's names.
        for (String kind : List.of("connect", "pool_exhausted", "known_down", "timeout", "broken", "not_replicated",
                "rejected", "refused")) {
            redisErrors.initLabelValues(kind);
        }
        for (String status : List.of("200", "500", "503")) {
            responses.initLabelValues(status);
        }
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void viewServed() {
        views.inc();
    }

    public void viewUncertain() {
        uncertainViews.inc();
    }

    public void redisError(String kind) {
        redisErrors.labelValues(kind).inc();
    }

    public void redisCommand(long nanos) {
        redisLatency.observe(nanos / 1e9);
    }

    void response(int status) {
        responses.labelValues(String.valueOf(status)).inc();
    }

    /**
     * Adds the JVM's metrics (memory, GC, threads, classes, process) and Tomcat's request connectors' threads and
     * connections, all read at scrape time.
     */
    public void watchJvmAndConnectors() {
        // JvmMetrics.builder() would also add JvmMemoryPoolAllocationMetrics, whose listener on the JVM's
        // garbage collectors outlives an undeployed app and keeps its class loader; native memory needs a JVM flag.
        JvmThreadsMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
        ConnectorMetrics.register(registry);
    }

    /** Exposes the Redis pool's connections in use and idle, read at scrape time. */
    public void watchPool(IntSupplier active, IntSupplier idle) {
        GaugeWithCallback.builder()
                .name("hitcounter_redis_pool_connections")
                .help("Pooled Redis connections by state")
                .labelNames("state")
                .callback(callback -> {
                    callback.call(active.getAsInt(), "active");
                    callback.call(idle.getAsInt(), "idle");
                })
                .register(registry);
    }
}
