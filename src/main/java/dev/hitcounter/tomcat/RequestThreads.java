package dev.hitcounter.tomcat;

import java.util.Map;

/**
 * How many request threads Tomcat's connector gets: {@code REQUEST_THREADS} where it is set, else a number that
 * follows the processors the JVM sees. The embedded launcher and the image's {@code server.xml} (through
 * {@link RequestThreadsPropertySource}) apply this one rule.
 */
public final class RequestThreads {

    /** The environment variable that overrides the rule. */
    public static final String VARIABLE = "REQUEST_THREADS";

    /**
     * Threads per processor while no request thread waits for Redis (views counted asynchronously, or in memory):
     * a few busy threads hand each other work without waking sleeping ones (docs/benchmarks.md, "Request threads").
     */
    static final int PER_PROCESSOR = 2;

    /** While each view holds its thread for a Redis round trip ({@code REDIS_COALESCE=false}): Tomcat's default. */
    static final int WHILE_VIEWS_WAIT = 200;

    private RequestThreads() {
    }

    /** The rule for {@code processors} processors; {@code viewsWait} when each view holds its thread for Redis. */
    public static int byDefault(int processors, boolean viewsWait) {
        return viewsWait ? WHILE_VIEWS_WAIT : PER_PROCESSOR * Math.max(1, processors);
    }

    /**
     * What the environment asks for: the {@code REQUEST_THREADS} text as given, or the rule for the processors this JVM
     * sees. The app's settings check the text; this only passes it on.
     */
    static String fromEnvironment(Map<String, String> env) {
        String given = env.get(VARIABLE);
        if (given != null && !given.isBlank()) {
            return given.strip();
        }
        boolean redis = isSet(env, "REDIS_URL") || isSet(env, "REDIS_SENTINELS");
        boolean viewsWait = redis && "false".equals(String.valueOf(env.get("REDIS_COALESCE")).strip());
        return String.valueOf(byDefault(Runtime.getRuntime().availableProcessors(), viewsWait));
    }

    private static boolean isSet(Map<String, String> env, String name) {
        return env.get(name) != null && !env.get(name).isBlank();
    }
}
