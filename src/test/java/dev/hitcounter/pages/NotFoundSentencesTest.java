package dev.hitcounter.pages;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.hitcounter.system.ErrorPages;
import org.junit.jupiter.api.Test;

/** Every 404 the app answers, as HTML, as JSON or from the WAR's static copy, says so in a sentence of one form. */
class NotFoundSentencesTest {

    private static final Pattern SENTENCE = Pattern.compile("<p>([^<]*)</p>");

    @Test
    void everyNotFoundSentenceStartsWithACapitalAndEndsWithAFullStop() throws IOException {
        List<String> sentences = List.of(Pages.NOT_LISTED, PageErrors.FULL, PageErrors.NO_ENDPOINT,
                paragraphOf(ErrorPages.render(404)),
                paragraphOf(Files.readString(Path.of("src/main/webapp/WEB-INF/errors/404.html"))));
        for (String sentence : sentences) {
            assertTrue(Character.isUpperCase(sentence.charAt(0)) && sentence.endsWith("."), sentence);
        }
    }

    private static String paragraphOf(String html) {
        Matcher paragraph = SENTENCE.matcher(html);
        assertTrue(paragraph.find(), html);
        return paragraph.group(1);
    }
}
