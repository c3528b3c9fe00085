package dev.hitcounter.counter;

import java.util.Optional;
import java.util.logging.Logger;

/**
 * One look at Redis as the app starts, so that a wrong password, host or port shows in the log before the first view
 * does (issue 21 item 17): one line saying that Redis answers, or what is wrong. The app starts either way, since
 * Redis may come up later; the look is bounded by the connect and read timeouts (and the DNS lookup of the host).
 */
final class RedisStartupCheck {

    private static final Logger LOG = Logger.getLogger(RedisStartupCheck.class.getName());

    private RedisStartupCheck() {
    }

    static void log(Counter counter, String where) {
        Optional<String> problem = counter.notReadyBecause();
        if (problem.isEmpty()) {
            LOG.info(() -> "Redis at " + where + " answers");
        } else {
            LOG.warning(() -> "Redis at start-up: " + problem.get() + "; the app starts anyway and answers 503 until "
                    + "Redis counts");
        }
    }
}
