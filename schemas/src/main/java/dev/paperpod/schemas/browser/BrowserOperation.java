package dev.paperpod.schemas.browser;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** What a browser job does with the page once it is loaded. */
public enum BrowserOperation {
    /** A picture of the page: PNG or JPEG. */
    SCREENSHOT("screenshot", "image/png"),
    /** The page printed: PDF. */
    PDF("pdf", "application/pdf"),
    /** The page's HTML as rendered, after its scripts ran. */
    CONTENT("content", "text/html; charset=utf-8"),
    /** The elements that CSS selectors match: their text, HTML, attributes and boxes. */
    SCRAPE("scrape", "application/json"),
    /** The rendered page as Markdown. */
    MARKDOWN("markdown", "text/markdown; charset=utf-8"),
    /** Declarative steps (go to, click, fill, expect, …) run in order: each one's outcome and the run's. */
    TEST("test", "application/json"),
    /** Opens a session: a browser the account keeps between calls ({@code POST /browser/acquire}). */
    ACQUIRE("acquire", "application/json"),
    /** Ends a session ({@code DELETE /browser/sessions/{id}}). */
    RELEASE("release", "application/json");

    private final String wireName;
    private final String contentType;

    BrowserOperation(String wireName, String contentType) {
        this.wireName = wireName;
        this.contentType = contentType;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The content type of what it gives, unless its options choose another (a JPEG screenshot). */
    public String contentType() {
        return contentType;
    }

    public static Optional<BrowserOperation> fromWireName(String name) {
        return Arrays.stream(values()).filter(o -> o.wireName.equals(name)).findFirst();
    }
}
