package dev.paperpod.schemas.browser;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.paperpod.schemas.job.ArtifactRef;
import dev.paperpod.schemas.job.JobResult;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a browser job gave. A page that answered 404 or 500 is a result like any other, its code in
 * {@code responseCode}; a page that could not be loaded at all is a result too, with its verdict and error.
 *
 * @param responseCode the HTTP status of the page's main document, when it came from a URL
 * @param responseUrl where the page ended up, after redirects
 * @param contentType the type of {@code data} or {@code text}
 * @param data the screenshot or PDF (base64 in JSON) of a sync job; a background job's is an artifact
 * @param text the rendered HTML, or the page as Markdown
 * @param scraped for a scrape, what each selector matched, in the order asked
 * @param steps for a test, each step's outcome, in order
 * @param error what went wrong, when the verdict is not {@code OK}
 * @param durationMs the page's wall time: loading, waiting, the operation
 * @param artifacts the files the job gave, to download: a background job's screenshot or PDF, a trace with its
 *     console log and HAR
 */
public record BrowserResult(
        BrowserOperation operation,
        Verdict verdict,
        @Nullable Integer responseCode,
        @Nullable String responseUrl,
        String contentType,
        byte @Nullable [] data,
        @Nullable String text,
        @Nullable List<Scraped> scraped,
        @Nullable List<StepOutcome> steps,
        @Nullable String error,
        long durationMs,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ArtifactRef> artifacts)
        implements JobResult {

    public BrowserResult {
        artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
    }

    /**
     * This result with the files it gave kept as {@code artifacts}; without its {@code data} when that is one of them
     * (a background job's screenshot or PDF is downloaded, not carried in its result).
     */
    public BrowserResult withArtifacts(List<ArtifactRef> kept, boolean dataKept) {
        List<ArtifactRef> all = new ArrayList<>(artifacts);
        all.addAll(kept);
        return new BrowserResult(
                operation,
                verdict,
                responseCode,
                responseUrl,
                contentType,
                dataKept ? null : data,
                text,
                scraped,
                steps,
                error,
                durationMs,
                all);
    }

    /** What one selector matched: every element, in document order. */
    public record Scraped(String selector, List<Match> results) {
        public Scraped {
            results = List.copyOf(results);
        }
    }

    /**
     * One element a selector matched.
     *
     * @param text its text as rendered ({@code innerText})
     * @param html its inner HTML
     * @param top where its box is on the page, in CSS pixels (with {@code left}, {@code width} and {@code height})
     */
    public record Match(
            String text,
            String html,
            List<Attribute> attributes,
            double top,
            double left,
            double width,
            double height) {
        public Match {
            attributes = List.copyOf(attributes);
        }
    }

    public record Attribute(String name, String value) {}

    /**
     * How one step of a test went. After the first that failed, the rest are skipped.
     *
     * @param error why it failed: Playwright's words (what was expected, what was found)
     * @param screenshot the page when the step ended: what a {@code screenshot} step took, or the page as it was when
     *     the step failed (PNG)
     */
    public record StepOutcome(
            int index,
            String action,
            StepStatus status,
            long durationMs,
            @Nullable String error,
            byte @Nullable [] screenshot) {}

    public enum StepStatus {
        PASSED,
        FAILED,
        SKIPPED
    }

    public enum Verdict {
        /** Done as asked. */
        OK,
        /** Loading or waiting ran out of time and {@code bestAttempt} took the page as it was. */
        BEST_ATTEMPT,
        /** The page could not be loaded: a bad address, a name that does not resolve, a refused connection. */
        NAVIGATION_FAILED,
        /** Loading, waiting or the operation ran past its time. */
        TIMEOUT,
        /** The page or its renderer broke (a crash, a page that never settles). */
        PAGE_ERROR,
        /** What was asked for weighs more than a result may (a huge full-page screenshot). */
        RESULT_TOO_LARGE,
        /** A selector to scrape or to wait for is not CSS the browser can read. */
        BAD_SELECTOR,
        /** The page is at an address browsers may not reach: private, loopback, link-local, PaperPod's own. */
        EGRESS_REFUSED,
        /** A step of a test failed (the steps tell which and why). */
        TEST_FAILED
    }

    @Override
    public String outcome() {
        return verdict.name();
    }
}
