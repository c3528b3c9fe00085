package dev.hitcounter.counter;

/** The count could not be taken; {@link #mayHaveCounted()} tells whether the increment may still have reached the store. */
public final class CounterUnavailableException extends Exception {

    /** Why the store did not answer, as a label for logs and metrics. */
    public enum Kind {
        /** No connection could be opened: nothing was sent. */
        CONNECT,
        /** Every pooled connection stayed busy for the whole borrow wait: nothing was sent. */
        POOL_EXHAUSTED,
        /** Redis was already known to be down, so nothing was tried: nothing was sent. */
        KNOWN_DOWN,
        /** The command was sent and no reply came in time. */
        TIMEOUT,
        /** The connection broke after the command was sent, or a command after the increment failed. */
        BROKEN,
        /** Counted in the primary, but fewer replicas than REDIS_WAIT_REPLICAS acknowledged it in time. */
        NOT_REPLICATED,
        /**
         * Redis answered that the value under the key is not a counter (WRONGTYPE, not an integer, overflow): nothing
         * was counted, and retrying will not help until a person fixes the value.
         */
        REJECTED,
        /**
         * Redis answered but refuses writes for now (READONLY during a failover, MISCONF, OOM, NOREPLICAS, LOADING,
         * …): nothing was counted.
         */
        REFUSED
    }

    private final Kind kind;

    public CounterUnavailableException(Kind kind, Throwable cause) {
        super(kind + ": " + cause.getMessage(), cause);
        this.kind = kind;
    }

    public CounterUnavailableException(Kind kind, String message) {
        super(kind + ": " + message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the same view may be counted if the client tries again: false while the value needs a person. */
    public boolean retryMayHelp() {
        return kind != Kind.REJECTED;
    }

    /** True where the command was written to Redis, so Redis may count it although no reply came. */
    public boolean mayHaveCounted() {
        return kind == Kind.TIMEOUT || kind == Kind.BROKEN || kind == Kind.NOT_REPLICATED;
    }
}
