package dev.hitcounter.pages;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The looks of the badges asked for, each rendered once and kept for the next request, up to a bound: clients
 * choose labels, so the looks kept are forgotten all at once when the bound is reached. Thread-safe.
 */
final class BadgeLooks {

    private record Key(BadgeText label, BadgeColor color, BadgeStyle style) {
    }

    private final Badge badge;
    private final int capacity;
    private final Map<Key, BadgeLook> looks = new ConcurrentHashMap<>();

    BadgeLooks(Badge badge, int capacity) {
        this.badge = badge;
        this.capacity = capacity;
    }

    /** The look of a badge with this label, colour and style, rendered now unless it was kept. */
    BadgeLook of(BadgeText label, BadgeColor color, BadgeStyle style) {
        Key key = new Key(label, color, style);
        BadgeLook look = looks.get(key);
        if (look == null) {
            look = badge.look(label, color, style);
            // Racing threads may each add one past the bound before one of them clears: still bounded.
            if (looks.size() >= capacity) {
                looks.clear();
            }
            looks.put(key, look);
        }
        return look;
    }

    /** How many looks are kept. */
    int size() {
        return looks.size();
    }
}
