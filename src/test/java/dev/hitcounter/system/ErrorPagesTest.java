package dev.hitcounter.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class ErrorPagesTest {

    @Test
    void staticCopiesForStandaloneTomcatMatchTheAppsPages() throws IOException {
        for (int status : ErrorPages.STATIC_COPIES) {
            Path copy = Path.of("src/main/webapp/WEB-INF/errors", (status == 0 ? "error" : status) + ".html");
            assertEquals(ErrorPages.render(status), Files.readString(copy), copy + " is out of date");
        }
    }

    @Test
    void everyKnownStatusHasItsOwnSentence() {
        for (int status : ErrorPages.STATIC_COPIES) {
            assertFalse(ErrorPages.sentence(status).contains("status " + status), "status " + status);
        }
    }
}
