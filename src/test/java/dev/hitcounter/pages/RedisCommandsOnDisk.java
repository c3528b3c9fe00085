package dev.hitcounter.pages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a real redis-server wrote to its append-only file(s): every file's bytes, and the commands of the parts in RESP
 * (Redis 7's {@code appendonlydir/*.aof}, Redis 6's {@code appendonly.aof}), each as its words.
 */
final class RedisCommandsOnDisk {

    private final List<byte[]> files;
    private final List<List<byte[]>> commands;

    private RedisCommandsOnDisk(List<byte[]> files, List<List<byte[]>> commands) {
        this.files = files;
        this.commands = commands;
    }

    /** Reads the append-only files under a Redis data folder; there must be at least one command. */
    static RedisCommandsOnDisk in(Path dataDir) {
        List<byte[]> files = new ArrayList<>();
        List<List<byte[]>> commands = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(dataDir)) {
            for (Path path : paths.filter(Files::isRegularFile).sorted().toList()) {
                String name = path.getFileName().toString();
                if (!name.startsWith("appendonly")) {
                    continue;
                }
                byte[] bytes = Files.readAllBytes(path);
                files.add(bytes);
                if (name.endsWith(".aof")) {
                    commands.addAll(parse(bytes));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (commands.isEmpty()) {
            throw new AssertionError("no append-only commands under " + dataDir);
        }
        return new RedisCommandsOnDisk(files, commands);
    }

    /** The raw bytes of every append-only file, the RDB preamble or base included. */
    List<byte[]> files() {
        return files;
    }

    /** Every command in the files, in order, as its words. */
    List<List<byte[]>> commands() {
        return commands;
    }

    /** The commands named {@code name} (any case). */
    List<List<byte[]>> named(String name) {
        return commands.stream().filter(words -> text(words.get(0)).equalsIgnoreCase(name)).toList();
    }

    static String text(byte[] word) {
        return new String(word, StandardCharsets.ISO_8859_1);
    }

    /** RESP arrays of bulk strings, as Redis writes its append-only file. */
    private static List<List<byte[]>> parse(byte[] bytes) {
        List<List<byte[]>> commands = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            if (bytes[at] != '*') {
                throw new AssertionError("not RESP at byte " + at);
            }
            int end = lineEnd(bytes, at);
            int words = Integer.parseInt(new String(bytes, at + 1, end - at - 1, StandardCharsets.US_ASCII));
            at = end + 2;
            List<byte[]> command = new ArrayList<>(words);
            for (int i = 0; i < words; i++) {
                end = lineEnd(bytes, at);
                int length = Integer.parseInt(new String(bytes, at + 1, end - at - 1, StandardCharsets.US_ASCII));
                at = end + 2;
                byte[] word = new byte[length];
                System.arraycopy(bytes, at, word, 0, length);
                command.add(word);
                at += length + 2;
            }
            commands.add(command);
        }
        return commands;
    }

    private static int lineEnd(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new AssertionError("a RESP line without its end at byte " + from);
    }
}
