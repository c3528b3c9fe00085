package dev.hitcounter.pages;

import java.util.Optional;

import dev.hitcounter.system.PageSettings;
import jakarta.servlet.http.HttpServletResponse;

/** Which pages are counted: a {@link PageName}, and one that {@code PAGES} allows when it is set. */
final class Pages {

    /** Why a page is not counted: the status and the sentence of the answer. */
    record Refusal(int status, String sentence) {
    }

    static final String NOT_LISTED = "This counter does not count that page: it is not in the PAGES list.";

    private final PageSettings settings;

    Pages(PageSettings settings) {
        this.settings = settings;
    }

    /** Empty when {@code name} is counted; else 400 for a name that is not a page name, 404 for one not listed. */
    Optional<Refusal> refusal(String name) {
        try {
            new PageName(name);
        } catch (BadRequestException e) {
            return Optional.of(new Refusal(HttpServletResponse.SC_BAD_REQUEST, e.getMessage()));
        }
        return settings.isCounted(name)
                ? Optional.empty()
                : Optional.of(new Refusal(HttpServletResponse.SC_NOT_FOUND, NOT_LISTED));
    }
}
