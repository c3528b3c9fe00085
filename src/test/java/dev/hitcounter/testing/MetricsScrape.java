package dev.hitcounter.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads one sample out of the app's {@code /metrics} text. */
public final class MetricsScrape {

    private MetricsScrape() {
    }

    /** The value of the sample line that starts with {@code series} (name and labels), 0 when absent. */
    public static double value(RunningApp app, String series) {
        String text = app.get("/metrics").body();
        Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }
}
