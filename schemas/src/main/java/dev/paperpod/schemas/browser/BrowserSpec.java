package dev.paperpod.schemas.browser;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSpec;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Load a page in a fresh browser context and do one thing with it. The fields follow the conventions users know from
 * Browserless and Cloudflare Browser Rendering.
 *
 * @param url the page to load (http or https); exactly one of {@code url} and {@code html}, or neither for a test whose
 *     steps begin with {@code goto}
 * @param html a page given whole, loaded as if from {@code about:blank}
 * @param gotoOptions how loading waits: {@code waitUntil} and its own timeout
 * @param waitForSelector after loading, wait for this element (optionally visible)
 * @param waitForTimeout after that, wait this many milliseconds more (animations, late scripts)
 * @param viewport the window size; 1280×720 when absent
 * @param userAgent the browser's {@code User-Agent}, when not its own
 * @param extraHttpHeaders headers sent with every request of the page
 * @param rejectResourceTypes resource types not loaded (e.g. {@code image}, {@code font}, {@code media})
 * @param screenshot the screenshot's options, for {@link BrowserOperation#SCREENSHOT}
 * @param pdf the PDF's options, for {@link BrowserOperation#PDF}
 * @param elements the CSS selectors to scrape, for {@link BrowserOperation#SCRAPE} ({@code body} when none are given)
 * @param steps what a {@link BrowserOperation#TEST} does, in order, after loading {@code url} or {@code html} (when
 *     given)
 * @param sessionId the session whose browser, context and open page the job uses (its cookies, storage, the page
 *     as the last call left it); a fresh context of a pool browser when null. With a session, {@code url} and
 *     {@code html} may both be absent: the job works on the page as it is
 * @param idleTimeoutMs for {@link BrowserOperation#ACQUIRE}: how long the session lives without a call
 * @param trace record a Playwright trace of the job ({@code trace.zip}, for {@code npx playwright show-trace}), its
 *     console ({@code console.log}) and, in a context of its own, its network ({@code network.har}): artifacts of
 *     the job
 * @param bestAttempt when loading or waiting times out, go on with the page as it is instead of failing
 * @param timeoutMs the whole job's wall-clock limit
 */
public record BrowserSpec(
        BrowserOperation operation,
        @Nullable String url,
        @Nullable String html,
        @Nullable GotoOptions gotoOptions,
        @Nullable WaitForSelector waitForSelector,
        @Nullable Long waitForTimeout,
        @Nullable Viewport viewport,
        @Nullable String userAgent,
        Map<String, String> extraHttpHeaders,
        List<String> rejectResourceTypes,
        @Nullable ScreenshotOptions screenshot,
        @Nullable PdfOptions pdf,
        List<Element> elements,
        List<Step> steps,
        @Nullable String sessionId,
        @Nullable Long idleTimeoutMs,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean trace,
        boolean bestAttempt,
        long timeoutMs)
        implements JobSpec {

    public BrowserSpec {
        extraHttpHeaders = extraHttpHeaders == null ? Map.of() : Map.copyOf(extraHttpHeaders);
        rejectResourceTypes = rejectResourceTypes == null ? List.of() : List.copyOf(rejectResourceTypes);
        elements = elements == null ? List.of() : List.copyOf(elements);
        steps = steps == null ? List.of() : List.copyOf(steps);
        trace = Boolean.TRUE.equals(trace); // absent from messages of earlier versions
    }

    @Override
    @JsonIgnore
    public JobKind kind() {
        return BrowserKind.KIND;
    }

    /**
     * @param waitUntil {@code load} (the default), {@code domcontentloaded}, {@code networkidle} or {@code commit}
     * @param timeout milliseconds the load may take; the job's limit when absent
     */
    public record GotoOptions(
            @Nullable String waitUntil, @Nullable Long timeout) {}

    /** @param timeout milliseconds to wait for it; the job's limit when absent */
    public record WaitForSelector(
            String selector,
            @Nullable Long timeout,
            @Nullable Boolean visible) {}

    public record Viewport(int width, int height, @Nullable Double deviceScaleFactor) {}

    /**
     * @param type {@code png} (the default) or {@code jpeg}
     * @param quality JPEG quality, 0–100
     * @param clip the part of the page to take, in CSS pixels
     */
    public record ScreenshotOptions(
            @Nullable Boolean fullPage,
            @Nullable String type,
            @Nullable Integer quality,
            @Nullable Clip clip,
            @Nullable Boolean omitBackground) {}

    public record Clip(double x, double y, double width, double height) {}

    /**
     * @param format a paper size such as {@code A4} (the default) or {@code Letter}
     * @param margin CSS lengths per side, e.g. {@code "1cm"}
     * @param scale 0.1–2
     */
    public record PdfOptions(
            @Nullable String format,
            @Nullable Boolean landscape,
            @Nullable Boolean printBackground,
            @Nullable Margin margin,
            @Nullable Double scale) {}

    /** One thing to scrape: every element {@code selector} matches. */
    public record Element(String selector) {}

    /**
     * A job that opens ({@link BrowserOperation#ACQUIRE}) or ends ({@link BrowserOperation#RELEASE}) session
     * {@code sessionId}; the context options are the session's.
     */
    public static BrowserSpec sessionControl(
            BrowserOperation operation,
            String sessionId,
            @Nullable Viewport viewport,
            @Nullable String userAgent,
            Map<String, String> extraHttpHeaders,
            @Nullable Long idleTimeoutMs,
            long timeoutMs) {
        return new BrowserSpec(
                operation,
                null,
                null,
                null,
                null,
                null,
                viewport,
                userAgent,
                extraHttpHeaders,
                List.of(),
                null,
                null,
                List.of(),
                List.of(),
                sessionId,
                idleTimeoutMs,
                false,
                false,
                timeoutMs);
    }

    /** The same job in session {@code id}. */
    public BrowserSpec inSession(String id) {
        return new BrowserSpec(
                operation,
                url,
                html,
                gotoOptions,
                waitForSelector,
                waitForTimeout,
                viewport,
                userAgent,
                extraHttpHeaders,
                rejectResourceTypes,
                screenshot,
                pdf,
                elements,
                steps,
                id,
                idleTimeoutMs,
                trace,
                bestAttempt,
                timeoutMs);
    }

    /**
     * One step of a test; which fields it takes depends on its action:
     *
     * <ul>
     *   <li>{@code goto}: {@code url}
     *   <li>{@code click}: {@code selector}
     *   <li>{@code fill}: {@code selector}, {@code value}
     *   <li>{@code press}: {@code key} (e.g. {@code Enter}), on {@code selector} or the page
     *   <li>{@code waitFor}: {@code selector} until {@code state} ({@code visible}, the default, {@code attached},
     *       {@code hidden} or {@code detached}), or {@code ms} milliseconds
     *   <li>{@code expect}: one of {@code text} (the {@code selector}'s element contains it), {@code visible}, {@code
     *       count} (of the {@code selector}'s matches), {@code url} or {@code title} (the page's contains it)
     *   <li>{@code screenshot}: of the page as it is ({@code fullPage})
     * </ul>
     *
     * @param timeout how long the step may wait for what it needs (an element, a state), within the job's time
     */
    public record Step(
            String action,
            @Nullable String selector,
            @Nullable String url,
            @Nullable String value,
            @Nullable String key,
            @Nullable String state,
            @Nullable Long ms,
            @Nullable String text,
            @Nullable Boolean visible,
            @Nullable Integer count,
            @Nullable String title,
            @Nullable Boolean fullPage,
            @Nullable Long timeout) {}

    public record Margin(
            @Nullable String top,
            @Nullable String right,
            @Nullable String bottom,
            @Nullable String left) {}
}
