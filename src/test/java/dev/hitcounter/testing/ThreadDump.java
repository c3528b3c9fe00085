package dev.hitcounter.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** Reads another JVM's threads with the JDK's {@code jcmd}, as an operator would. */
public final class ThreadDump {

    private static final Pattern REQUEST_THREAD = Pattern.compile("^\"http-nio-[0-9a-z-]+-exec-\\d+\"",
            Pattern.MULTILINE);

    private ThreadDump() {
    }

    /** How many of Tomcat's request threads ({@code http-nio-…-exec-N}) the JVM with this pid has. */
    public static long requestThreads(long pid) {
        return REQUEST_THREAD.matcher(of(pid)).results().count();
    }

    /** The thread dump of the JVM with this pid. */
    public static String of(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "Thread.print")
                    .redirectErrorStream(true).start();
            String dump = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("jcmd " + pid + " Thread.print failed: " + dump);
            }
            return dump;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
