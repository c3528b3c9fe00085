package dev.hitcounter.pages;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * {@code GET /api/pages/{page}/shields.json}: the page's count in shields.io's endpoint-badge schema, for
 * {@code https://img.shields.io/endpoint?url=…}. It never counts (shields.io fetches it at most once per
 * {@link #CACHE_SECONDS} for all the readers of its badge) and is read without holding the request thread
 * ({@link PageReads}), sharing the read of a badge shown with {@code count=false}.
 */
final class ShieldsEndpoint {

    static final String SUFFIX = "/shields.json";

    /** shields.io's least cache lifetime for an endpoint badge: it ignores a lower one. */
    static final int CACHE_SECONDS = 300;

    private static final JsonFactory JSON = new JsonFactory();

    private final PageReads reads;
    private final PageCounter store;

    ShieldsEndpoint(PageReads reads, PageCounter store) {
        this.reads = reads;
        this.store = store;
    }

    /** Answers the request later with the page's count, or with the page API's 503 while the store does not answer. */
    void serve(HttpServletRequest request, String page) {
        reads.serve(request, new PageReads.Key("views", page), () -> store.views(page),
                (response, views) -> PageJson.send(response, HttpServletResponse.SC_OK, json(views)),
                PageJson.answers(page));
    }

    /** E.g. {@code {"schemaVersion":1,"label":"views","message":"1,234","color":"blue","cacheSeconds":300}}. */
    static String json(long views) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeNumberField("schemaVersion", 1);
            json.writeStringField("label", "views");
            // As the SVG badge shows it, so the two look alike side by side.
            json.writeStringField("message", BadgeText.grouped(views));
            json.writeStringField("color", "blue");
            json.writeNumberField("cacheSeconds", CACHE_SECONDS);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string", e);
        }
        return text.append('\n').toString();
    }
}
