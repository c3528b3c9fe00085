package dev.hitcounter.pages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.hitcounter.counter.Batcher;
import dev.hitcounter.counter.CounterUnavailableException;
import dev.hitcounter.counter.BatchCompletions;
import dev.hitcounter.counter.PendingView;
import dev.hitcounter.system.AsyncAnswer;
import dev.hitcounter.system.Metrics;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Counts the views of any page as {@code GET /} counts its own: each request goes asynchronous and is queued, and one
 * thread sends everything queued as one {@link PageCounter#add} with one increment per page, then answers each request
 * with its own count of its page. Nothing is counted twice: a batch is sent once, never retried.
 */
final class PageCoalescer implements AutoCloseable {

    /**
     * One request: its visit, whether it counts (not a bot's), how it is answered, and its answer when its page may not
     * be created.
     */
    record Request(UniqueVisitors.Visit visit, boolean counts, PendingView view, AsyncAnswer.Body whenFull) {
    }

    private static final Logger LOG = Logger.getLogger(PageCoalescer.class.getName());

    private final PageCounter store;
    private final Metrics metrics;
    private final long timeoutMillis;
    private final Batcher<Request> batcher;
    private final Predicate<String> notCounted;
    private final boolean countsOncePer;

    PageCoalescer(PageCounter store, Metrics metrics, long timeoutMillis) {
        this(store, metrics, timeoutMillis, userAgent -> false, false);
    }

    /**
     * @param notCounted    whether a User-Agent's views are not counted (a bot's, with {@code COUNT_BOTS=false}); they
     *                      are answered with the page's count as it stands
     * @param countsOncePer whether the store counts a visitor's views once per window ({@code COUNT_ONCE_PER}): then
     *                      every view of a page in a batch is answered with its count after the batch
     */
    PageCoalescer(PageCounter store, Metrics metrics, long timeoutMillis, Predicate<String> notCounted,
            boolean countsOncePer) {
        this.notCounted = notCounted;
        this.countsOncePer = countsOncePer;
        this.store = store;
        this.metrics = metrics;
        this.timeoutMillis = timeoutMillis;
        this.batcher = new Batcher<>("page-coalescer", this::send, request -> request.view().broken(), ArrayList::new);
        batcher.start();
    }

    boolean isRunning() {
        return batcher.isRunning();
    }

    /**
     * Counts one view of {@code page} and answers it later with {@code answers}, or with {@code whenFull} if the page
     * is new and {@code MAX_PAGES} pages exist; the request thread returns at once.
     */
    void serve(HttpServletRequest request, String page, PendingView.Answers answers, AsyncAnswer.Body whenFull) {
        AsyncContext async = request.startAsync();
        async.setTimeout(timeoutMillis);
        PendingView view = new PendingView(async, answers, metrics);
        async.addListener(view);
        UniqueVisitors.Visit visit = visit(request, page);
        if (!batcher.submit(new Request(visit, !notCounted.test(visit.userAgent()), view, whenFull))) {
            view.abandon();
        }
    }

    /** The visit as unique visitors need it: the client's address (after RemoteIpFilter) and its User-Agent. */
    private static UniqueVisitors.Visit visit(HttpServletRequest request, String page) {
        String userAgent = request.getHeader("User-Agent");
        return new UniqueVisitors.Visit(page, request.getRemoteAddr(), userAgent == null ? "" : userAgent);
    }

    private void send(List<Request> batch) {
        List<Request> sent = new ArrayList<>(batch.size());
        List<UniqueVisitors.Visit> visits = new ArrayList<>(batch.size());
        Map<String, Integer> views = new LinkedHashMap<>();
        for (Request request : batch) {
            if (request.view().markSent()) {
                sent.add(request);
                if (request.counts()) {
                    visits.add(request.visit());
                }
                views.merge(request.visit().page(), request.counts() ? 1 : 0, Integer::sum);
            }
        }
        if (sent.isEmpty()) {
            return;
        }
        BatchCompletions completions = new BatchCompletions();
        try {
            Map<String, PageOutcome> outcomes = store.add(views, visits);
            // Each page's views in this batch get its counts total - n + 1 … total, in the order they came.
            Map<String, Long> next = new LinkedHashMap<>();
            outcomes.forEach((page, outcome) -> {
                if (outcome instanceof PageOutcome.Counted counted) {
                    next.put(page, counted.views() - views.get(page) + 1);
                }
            });
            for (Request request : sent) {
                String page = request.visit().page();
                PageOutcome outcome = outcomes.get(page);
                if (outcome instanceof PageOutcome.Counted counted && !request.counts()) {
                    request.view().shown(counted.views(), completions);
                } else if (outcome instanceof PageOutcome.Counted counted) {
                    request.view().counted(countsOncePer ? counted.views() : next.merge(page, 1L, Long::sum) - 1,
                            completions);
                } else if (outcome instanceof PageOutcome.Rejected rejected) {
                    request.view().failed(new CounterUnavailableException(
                            CounterUnavailableException.Kind.REJECTED, rejected.reply()), completions);
                } else {
                    request.view().refused(request.whenFull(), completions);
                }
            }
        } catch (CounterUnavailableException e) {
            sent.forEach(request -> request.view().failed(e, completions));
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "Counting " + sent.size() + " page views failed", e);
            sent.forEach(request -> request.view().failedUnexpectedly(completions));
        } finally {
            completions.finish();
        }
    }

    /** Answers 503 to every view still waiting and stops the thread, giving the batch in flight up to the timeout. */
    @Override
    public void close() {
        batcher.close(request -> request.view().abandon(), timeoutMillis);
    }
}
