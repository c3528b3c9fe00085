package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The cross-cutting package depends on no feature package: the wiring class joins them. */
class SystemPackageTest {

    @Test
    void noClassOfSystemRefersToTheCounterPackage() throws IOException, URISyntaxException {
        Path classes = Path.of(Settings.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/hitcounter/system");
        List<Path> all;
        try (Stream<Path> files = Files.list(classes)) {
            all = files.filter(file -> file.toString().endsWith(".class")).toList();
        }
        assertFalse(all.isEmpty(), "no classes in " + classes);
        // A class file names every class it uses in its constant pool, imported or fully qualified.
        assertEquals(List.of(), all.stream().filter(SystemPackageTest::refersToCounter).toList());
    }

    private static boolean refersToCounter(Path classFile) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1)
                    .contains("dev/hitcounter/counter/");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
