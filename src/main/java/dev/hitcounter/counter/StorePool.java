package dev.hitcounter.counter;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.util.Pool;

/**
 * The pool that the app's other Redis stores (the pages) borrow from: it refuses at once, as a pool that cannot
 * connect would, while the counter of {@code GET /} knows Redis is down, so that their requests fail fast without
 * touching Redis (issue 21 item 1); asking whether Redis is down also asks the Sentinels for the primary while none
 * has named it (item 9).
 */
final class StorePool implements Supplier<Pool<Connection>> {

    /** The refusal while Redis is known to be down: nothing was sent. */
    static final class KnownDown extends JedisConnectionException {

        private static final long serialVersionUID = 1L;

        KnownDown() {
            super("Redis is known to be down; waiting for it to answer a ping again");
        }
    }

    private final Supplier<Pool<Connection>> pool;
    private final BooleanSupplier knownDown;

    StorePool(Supplier<Pool<Connection>> pool, BooleanSupplier knownDown) {
        this.pool = pool;
        this.knownDown = knownDown;
    }

    @Override
    public Pool<Connection> get() {
        if (knownDown.getAsBoolean()) {
            throw new KnownDown();
        }
        return pool.get();
    }
}
