package dev.paperpod.api.browser;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.jobs.JobRequests;
import dev.paperpod.api.sync.SyncJobs;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.browser.BrowserKind;
import dev.paperpod.schemas.browser.BrowserOperation;
import dev.paperpod.schemas.browser.BrowserResult;
import dev.paperpod.schemas.browser.BrowserSpec;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.job.ArtifactRef;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/**
 * The browser kind's sync endpoints: {@code POST /browser/screenshot}, {@code /browser/pdf}, {@code /browser/content},
 * {@code /browser/markdown}, {@code /browser/scrape} and {@code /browser/test} load the page in a warm browser and
 * answer what was asked as the body itself (PNG or JPEG, PDF, HTML, Markdown, the scrape's
 * {@code {"data": [{selector, results}]}}, the test's {@code {"passed", "steps", "durationMs"}}), with the page's own status in {@code X-Response-Code} and where it ended up in {@code X-Response-URL},
 * as Browserless and Cloudflare Browser Rendering do. A page that could not be loaded is an error naming why.
 */
@RestController
class BrowserController {

    static final String RESPONSE_CODE = "X-Response-Code";
    static final String RESPONSE_URL = "X-Response-URL";

    private final JsonBody body;
    private final JobRequests requests;
    private final SyncJobs sync;
    private final BrowserSessions sessions;

    BrowserController(JsonBody body, JobRequests requests, SyncJobs sync, BrowserSessions sessions) {
        this.body = body;
        this.sessions = sessions;
        this.requests = requests;
        this.sync = sync;
    }

    @PostMapping("/browser/{operation:screenshot|pdf|content|scrape|markdown|test}")
    void run(Caller caller, @PathVariable String operation, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        ObjectNode fields = body.object(request);
        if (fields.has("operation")) {
            throw ApiException.invalidField(
                    "operation",
                    "the path names the operation here",
                    "leave operation out of POST /browser/" + operation + " (it is for POST /v1/jobs)");
        }
        fields.put("operation", operation);
        BrowserSpec spec = (BrowserSpec) requests.sync(BrowserKind.KIND, fields);
        JobFinished finished = spec.sessionId() != null
                ? sessions.run(caller, spec)
                : sync.await(sync.submit(sync.prepare(caller, spec, false)));
        BrowserResult result = (BrowserResult) SyncJobs.resultOf(finished);
        answer(spec, result, finished, response);
    }

    private static void answer(
            BrowserSpec spec, BrowserResult result, JobFinished finished, HttpServletResponse response)
            throws IOException {
        // on errors too: a failed page's trace is the one worth reading
        response.setHeader("X-PaperPod-Job-Id", finished.jobId().toString());
        if (!result.artifacts().isEmpty()) {
            response.setHeader(HttpHeaders.LINK, links(result.artifacts()));
        }
        if (result.verdict() != BrowserResult.Verdict.OK
                && result.verdict() != BrowserResult.Verdict.BEST_ATTEMPT
                && result.verdict() != BrowserResult.Verdict.TEST_FAILED) {
            throw refusal(spec, result);
        }
        if (result.responseCode() != null) {
            response.setHeader(RESPONSE_CODE, result.responseCode().toString());
        }
        if (result.responseUrl() != null) {
            response.setHeader(RESPONSE_URL, result.responseUrl());
        }
        if (result.verdict() == BrowserResult.Verdict.BEST_ATTEMPT) {
            response.setHeader("X-PaperPod-Best-Attempt", "true");
        }
        byte[] bytes;
        if (result.data() != null) {
            bytes = result.data();
        } else if (result.scraped() != null) {
            Map<String, Object> scrape = new LinkedHashMap<>();
            scrape.put("data", result.scraped());
            if (!result.artifacts().isEmpty()) {
                scrape.put("artifacts", result.artifacts());
            }
            bytes = Wire.mapper().writeValueAsBytes(scrape);
        } else if (result.steps() != null) {
            bytes = Wire.mapper()
                    .writeValueAsBytes(new TestReport(
                            result.verdict() == BrowserResult.Verdict.OK,
                            result.steps(),
                            result.durationMs(),
                            result.artifacts()));
        } else {
            bytes = (result.text() == null ? "" : result.text()).getBytes(StandardCharsets.UTF_8);
        }
        response.setContentType(result.contentType());
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /**
     * The files the job gave besides its answer (a trace, its console log and HAR), as RFC 8288 links: {@code
     * </v1/jobs/<id>/artifacts/trace.zip>; rel="artifact"; title="trace.zip"; type="application/zip"}.
     */
    static String links(List<ArtifactRef> artifacts) {
        return artifacts.stream()
                .map(a -> "<" + a.url() + ">; rel=\"artifact\"; title=\"" + a.name() + "\"; type=\"" + a.contentType()
                        + "\"")
                .collect(Collectors.joining(", "));
    }

    /**
     * What {@code POST /browser/test} answers: whether every step passed, how each went, and the trace with its
     * console log and HAR when it was traced.
     */
    record TestReport(
            boolean passed,
            List<BrowserResult.StepOutcome> steps,
            long durationMs,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ArtifactRef> artifacts) {}

    private static ApiException refusal(BrowserSpec spec, BrowserResult result) {
        String error = result.error() == null ? "" : result.error();
        String page = result.responseUrl() == null ? "the page" : result.responseUrl();
        return switch (result.verdict()) {
            case NAVIGATION_FAILED ->
                new ApiException(
                        HttpStatus.BAD_GATEWAY,
                        "NAVIGATION_FAILED",
                        page + " could not be loaded: " + error,
                        "check the address; the browser reaches the public internet, not private addresses",
                        "url");
            case TIMEOUT ->
                new ApiException(
                        HttpStatus.GATEWAY_TIMEOUT,
                        "NAVIGATION_TIMEOUT",
                        page + " did not finish in time: " + error,
                        "raise gotoOptions.timeout or timeoutMs, wait for less (\"gotoOptions\": {\"waitUntil\":"
                                + " \"domcontentloaded\"}), or send \"bestAttempt\": true for the page as it is",
                        null);
            case RESULT_TOO_LARGE ->
                new ApiException(
                        HttpStatus.UNPROCESSABLE_CONTENT,
                        "RESULT_TOO_LARGE",
                        error,
                        "see the message",
                        spec.operation() == BrowserOperation.SCRAPE ? "elements" : "options");
            case EGRESS_REFUSED ->
                new ApiException(
                        HttpStatus.FORBIDDEN,
                        "EGRESS_REFUSED",
                        "the browser may not reach " + page + ": " + error,
                        "browsers reach the public internet only, never private, loopback or link-local addresses nor"
                                + " PaperPod's own; for a page you have, send it as \"html\"",
                        "url");
            case BAD_SELECTOR ->
                ApiException.invalidField(
                        error.startsWith("elements") ? "elements" : "waitForSelector.selector",
                        error,
                        "send a CSS selector such as \"h1\", \"#main .title\" or \"a[href]\"");
            case PAGE_ERROR, OK, BEST_ATTEMPT, TEST_FAILED ->
                new ApiException(
                        HttpStatus.BAD_GATEWAY,
                        "PAGE_ERROR",
                        page + " broke: " + error,
                        "the page's own scripts or renderer failed; try it in a browser of your own",
                        null);
        };
    }
}
