package dev.paperpod.api.browser;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.jobs.JobSpecParser;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.browser.BrowserKind;
import dev.paperpod.schemas.browser.BrowserOperation;
import dev.paperpod.schemas.browser.BrowserSpec;
import dev.paperpod.schemas.job.JobKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The browser kind's fields of a request, checked field by field, as a {@link BrowserSpec}. The names are the ones
 * Browserless and Cloudflare Browser Rendering use: {@code url} or {@code html}, {@code gotoOptions},
 * {@code waitForSelector}, {@code waitForTimeout}, {@code viewport}, {@code userAgent}, {@code setExtraHTTPHeaders},
 * {@code rejectResourceTypes}, {@code options} (the screenshot's or the PDF's), {@code elements} (a scrape's
 * selectors), {@code bestAttempt}; and PaperPod's {@code trace} (a Playwright trace, the console and a HAR, kept as
 * the job's artifacts).
 */
@Component
public class BrowserSpecParser implements JobSpecParser {

    private static final Set<String> WAIT_UNTIL = Set.of("load", "domcontentloaded", "networkidle", "commit");
    private static final Set<String> RESOURCE_TYPES = Set.of(
            "document",
            "stylesheet",
            "image",
            "media",
            "font",
            "script",
            "texttrack",
            "xhr",
            "fetch",
            "eventsource",
            "websocket",
            "manifest",
            "other");
    private static final Set<String> PAPER =
            Set.of("letter", "legal", "tabloid", "ledger", "a0", "a1", "a2", "a3", "a4", "a5", "a6");

    private static final int MAX_ELEMENTS = 50;
    private static final int MAX_STEPS = 100;
    /** What {@code POST /browser/acquire} names sessions. */
    public static final Pattern SESSION_ID = Pattern.compile("bss-[a-z0-9-]{8,40}");

    private static final List<String> ACTIONS =
            List.of("goto", "click", "fill", "press", "waitFor", "expect", "screenshot");
    private static final List<String> STATES = List.of("visible", "attached", "hidden", "detached");

    private final ApiProperties properties;

    public BrowserSpecParser(ApiProperties properties) {
        this.properties = properties;
    }

    /** The request's fields, as sent. */
    record BrowserRequest(
            @Nullable String operation,
            @Nullable String url,
            @Nullable String html,
            BrowserSpec.@Nullable GotoOptions gotoOptions,
            BrowserSpec.@Nullable WaitForSelector waitForSelector,
            @Nullable Long waitForTimeout,
            BrowserSpec.@Nullable Viewport viewport,
            @Nullable String userAgent,
            @JsonProperty("setExtraHTTPHeaders") @Nullable Map<String, String> setExtraHTTPHeaders,
            @Nullable List<String> rejectResourceTypes,
            @Nullable JsonNode options,
            @Nullable List<BrowserSpec.Element> elements,
            @Nullable List<BrowserSpec.Step> steps,
            @Nullable String sessionId,
            @Nullable Boolean trace,
            @Nullable Boolean bestAttempt,
            @Nullable Long timeoutMs) {}

    private record ScreenshotOptionsField(BrowserSpec.@Nullable ScreenshotOptions options) {}

    private record PdfOptionsField(BrowserSpec.@Nullable PdfOptions options) {}

    @Override
    public JobKind kind() {
        return BrowserKind.KIND;
    }

    @Override
    public BrowserSpec parse(ObjectNode fields) {
        BrowserRequest request = JsonBody.bind(fields, BrowserRequest.class);
        if (request.operation() == null) {
            throw ApiException.invalidField(
                    "operation", "operation is required", "send \"operation\": one of " + operations());
        }
        BrowserOperation operation = BrowserOperation.fromWireName(request.operation())
                .filter(o -> o != BrowserOperation.ACQUIRE && o != BrowserOperation.RELEASE)
                .orElseThrow(() -> ApiException.invalidField(
                        "operation",
                        "operation '" + request.operation() + "' is not a browser operation",
                        "use one of: " + operations() + " (sessions: POST /browser/acquire)"));
        if (request.sessionId() != null
                && !SESSION_ID.matcher(request.sessionId()).matches()) {
            throw ApiException.invalidField(
                    "sessionId",
                    "'" + request.sessionId() + "' is not a session id",
                    "send the sessionId POST /browser/acquire answered (bss-…)");
        }
        if (request.sessionId() != null
                && (request.userAgent() != null
                        || (request.viewport() != null && request.viewport().deviceScaleFactor() != null))) {
            throw ApiException.invalidField(
                    request.userAgent() != null ? "userAgent" : "viewport.deviceScaleFactor",
                    "a session's user agent and scale are its context's, set when it was acquired",
                    "leave it out here, or acquire a session with it (POST /browser/acquire)");
        }
        page(request, operation);
        long maxMs = properties.maxTimeout().toMillis();
        long timeoutMs =
                request.timeoutMs() == null ? properties.defaultTimeout().toMillis() : request.timeoutMs();
        if (timeoutMs <= 0 || timeoutMs > maxMs) {
            throw ApiException.invalidField(
                    "timeoutMs",
                    "timeoutMs must be between 1 and " + maxMs + ", not " + timeoutMs,
                    "send the job's wall-clock limit in milliseconds, or leave it out for "
                            + properties.defaultTimeout().toMillis());
        }
        checkWaits(request);
        BrowserSpec.ScreenshotOptions screenshot = null;
        BrowserSpec.PdfOptions pdf = null;
        if (request.options() != null) {
            ObjectNode wrapped = Wire.mapper().createObjectNode().set("options", request.options());
            switch (operation) {
                case SCREENSHOT -> screenshot = screenshot(JsonBody.bind(wrapped, ScreenshotOptionsField.class));
                case PDF -> pdf = pdf(JsonBody.bind(wrapped, PdfOptionsField.class));
                case CONTENT, SCRAPE, MARKDOWN, TEST ->
                    throw ApiException.invalidField(
                            "options",
                            operation.wireName() + " takes no options",
                            "leave options out (they are the screenshot's or the PDF's)");
            }
        }
        return new BrowserSpec(
                operation,
                request.url(),
                request.html(),
                request.gotoOptions(),
                request.waitForSelector(),
                request.waitForTimeout(),
                request.viewport(),
                request.userAgent(),
                headers(request.setExtraHTTPHeaders()),
                resourceTypes(request.rejectResourceTypes()),
                screenshot,
                pdf,
                elements(operation, request.elements()),
                steps(operation, request),
                request.sessionId(),
                null,
                Boolean.TRUE.equals(request.trace()),
                Boolean.TRUE.equals(request.bestAttempt()),
                timeoutMs);
    }

    private static void page(BrowserRequest request, BrowserOperation operation) {
        boolean neither = request.url() == null && request.html() == null;
        if (neither && (operation == BrowserOperation.TEST || request.sessionId() != null)) {
            return; // a test's steps begin with goto (steps() checks); a session's page is as the last call left it
        }
        if (neither || (request.url() != null && request.html() != null)) {
            throw ApiException.invalidField(
                    request.url() == null ? "url" : "html",
                    request.url() == null ? "url or html is required" : "send url or html, not both",
                    "send \"url\": \"https://…\" for a page to load, or \"html\" for a page given whole");
        }
        if (request.url() != null) {
            webAddress("url", request.url());
        }
    }

    @Override
    public BrowserSpec parseBackground(ObjectNode fields) {
        if (fields.has("sessionId")) {
            throw ApiException.invalidField(
                    "sessionId",
                    "a session serves sync calls only",
                    "call POST /browser/{operation} with the sessionId, or leave it out for a fresh browser");
        }
        return parse(fields);
    }

    private static void webAddress(String field, String url) {
        String scheme;
        try {
            URI uri = new URI(url);
            scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null && (scheme.equals("http") || scheme.equals("https"))) {
                throw new URISyntaxException(url, "no host");
            }
        } catch (URISyntaxException e) {
            throw ApiException.invalidField(
                    field, field + " '" + url + "' is not a URL: " + e.getReason(), "send e.g. https://example.com/");
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.invalidField(
                    field,
                    field + " must be http or https, not '" + scheme + "'",
                    "send a web address; for a page you have as text, send it as \"html\"");
        }
    }

    private static List<BrowserSpec.Step> steps(BrowserOperation operation, BrowserRequest request) {
        List<BrowserSpec.Step> steps = request.steps();
        if (operation != BrowserOperation.TEST) {
            if (steps != null) {
                throw ApiException.invalidField(
                        "steps", "steps are what a test takes", "leave steps out of " + operation.wireName());
            }
            return List.of();
        }
        if (steps == null || steps.isEmpty()) {
            throw ApiException.invalidField(
                    "steps",
                    "a test needs steps",
                    "send e.g. [{\"action\": \"goto\", \"url\": \"https://example.com/\"}, {\"action\": \"expect\","
                            + " \"selector\": \"h1\", \"text\": \"Example\"}]");
        }
        if (steps.size() > MAX_STEPS) {
            throw ApiException.invalidField(
                    "steps",
                    steps.size() + " steps are more than the " + MAX_STEPS + " one test takes",
                    "split the test into several");
        }
        if (request.url() == null
                && request.html() == null
                && request.sessionId() == null
                && (steps.get(0) == null || !"goto".equals(steps.get(0).action()))) {
            throw ApiException.invalidField(
                    "steps[0].action",
                    "a test without url or html begins with goto",
                    "send \"url\" with the test, or begin with {\"action\": \"goto\", \"url\": \"https://…\"}");
        }
        for (int i = 0; i < steps.size(); i++) {
            step("steps[" + i + "].", steps.get(i));
        }
        return steps;
    }

    private static void step(String at, BrowserSpec.@Nullable Step step) {
        if (step == null || step.action() == null) {
            throw ApiException.invalidField(
                    at + "action", "every step has an action", "use one of: " + String.join(", ", ACTIONS));
        }
        switch (step.action()) {
            case "goto" -> {
                need(at, "url", step.url(), "the address to go to");
                webAddress(at + "url", step.url());
            }
            case "click" -> need(at, "selector", step.selector(), "the element to click");
            case "fill" -> {
                need(at, "selector", step.selector(), "the field to fill");
                if (step.value() == null) {
                    throw ApiException.invalidField(at + "value", "fill needs a value", "send the text to type in");
                }
            }
            case "press" -> need(at, "key", step.key(), "a key such as Enter, Tab or Control+A");
            case "waitFor" -> {
                if ((step.selector() == null) == (step.ms() == null)) {
                    throw ApiException.invalidField(
                            at + "selector",
                            "waitFor waits for a selector or for ms milliseconds",
                            "send {\"action\": \"waitFor\", \"selector\": \"#done\"} or {\"action\": \"waitFor\","
                                    + " \"ms\": 500}");
                }
                if (step.state() != null && !STATES.contains(step.state())) {
                    throw ApiException.invalidField(
                            at + "state",
                            "state '" + step.state() + "' is not an element state",
                            "use one of: " + String.join(", ", STATES));
                }
                if (step.ms() != null && step.ms() < 0) {
                    throw ApiException.invalidField(at + "ms", "ms must not be negative", "send e.g. 500");
                }
            }
            case "expect" -> {
                int asserted = (step.text() == null ? 0 : 1)
                        + (step.visible() == null ? 0 : 1)
                        + (step.count() == null ? 0 : 1)
                        + (step.url() == null ? 0 : 1)
                        + (step.title() == null ? 0 : 1);
                if (asserted != 1) {
                    throw ApiException.invalidField(
                            at + "action",
                            "expect checks one thing: text, visible, count, url or title",
                            "send e.g. {\"action\": \"expect\", \"selector\": \"h1\", \"text\": \"Welcome\"}");
                }
                if ((step.text() != null || step.visible() != null || step.count() != null)
                        && step.selector() == null) {
                    throw ApiException.invalidField(
                            at + "selector", "expect of text, visible or count needs a selector", "send e.g. \"h1\"");
                }
                if (step.count() != null && step.count() < 0) {
                    throw ApiException.invalidField(at + "count", "count must not be negative", "send e.g. 3");
                }
            }
            case "screenshot" -> {}
            default ->
                throw ApiException.invalidField(
                        at + "action",
                        "'" + step.action() + "' is not a step",
                        "use one of: " + String.join(", ", ACTIONS));
        }
        if (step.selector() != null && step.selector().isBlank()) {
            throw ApiException.invalidField(at + "selector", "the selector is empty", "send a CSS selector");
        }
        if (step.timeout() != null && step.timeout() <= 0) {
            throw ApiException.invalidField(at + "timeout", "timeout must be positive", "send milliseconds, e.g. 5000");
        }
    }

    private static void need(String at, String field, @Nullable String value, String what) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalidField(at + field, "this step needs " + field + ": " + what, "send " + field);
        }
    }

    private static void checkWaits(BrowserRequest request) {
        BrowserSpec.GotoOptions go = request.gotoOptions();
        if (go != null) {
            if (go.waitUntil() != null && !WAIT_UNTIL.contains(go.waitUntil())) {
                throw ApiException.invalidField(
                        "gotoOptions.waitUntil",
                        "waitUntil '" + go.waitUntil() + "' is not a load state",
                        "use one of: "
                                + String.join(", ", WAIT_UNTIL.stream().sorted().toList()));
            }
            if (go.timeout() != null && go.timeout() <= 0) {
                throw ApiException.invalidField(
                        "gotoOptions.timeout", "gotoOptions.timeout must be positive", "send milliseconds, e.g. 10000");
            }
        }
        BrowserSpec.WaitForSelector wait = request.waitForSelector();
        if (wait != null && (wait.selector() == null || wait.selector().isBlank())) {
            throw ApiException.invalidField(
                    "waitForSelector.selector", "waitForSelector needs a selector", "send e.g. {\"selector\": \"h1\"}");
        }
        if (request.waitForTimeout() != null && request.waitForTimeout() < 0) {
            throw ApiException.invalidField(
                    "waitForTimeout", "waitForTimeout must not be negative", "send milliseconds to wait, e.g. 500");
        }
        checkViewport(request.viewport());
    }

    /** A window size a browser can take, or none. */
    static void checkViewport(BrowserSpec.@Nullable Viewport viewport) {
        if (viewport != null) {
            if (viewport.width() < 1 || viewport.width() > 8192 || viewport.height() < 1 || viewport.height() > 8192) {
                throw ApiException.invalidField(
                        "viewport",
                        "viewport " + viewport.width() + "×" + viewport.height() + " is not a window size",
                        "send width and height between 1 and 8192, e.g. {\"width\": 1280, \"height\": 720}");
            }
            Double scale = viewport.deviceScaleFactor();
            if (scale != null && (scale <= 0 || scale > 4)) {
                throw ApiException.invalidField(
                        "viewport.deviceScaleFactor", "deviceScaleFactor must be above 0 and at most 4", "send e.g. 2");
            }
        }
    }

    private static BrowserSpec.@Nullable ScreenshotOptions screenshot(ScreenshotOptionsField field) {
        BrowserSpec.ScreenshotOptions o = field.options();
        if (o == null) {
            return null;
        }
        if (o.type() != null && !o.type().equals("png") && !o.type().equals("jpeg")) {
            throw ApiException.invalidField(
                    "options.type", "type '" + o.type() + "' is not an image type", "use \"png\" or \"jpeg\"");
        }
        if (o.quality() != null) {
            if (!"jpeg".equals(o.type())) {
                throw ApiException.invalidField(
                        "options.quality",
                        "quality is for JPEG only",
                        "send \"type\": \"jpeg\" with it, or leave it out");
            }
            if (o.quality() < 0 || o.quality() > 100) {
                throw ApiException.invalidField("options.quality", "quality must be 0–100", "send e.g. 80");
            }
        }
        if (o.clip() != null && (o.clip().width() <= 0 || o.clip().height() <= 0)) {
            throw ApiException.invalidField(
                    "options.clip",
                    "a clip has a positive width and height",
                    "send e.g. {\"x\":0,\"y\":0,\"width\":400,\"height\":300}");
        }
        if (o.clip() != null && Boolean.TRUE.equals(o.fullPage())) {
            throw ApiException.invalidField("options.clip", "clip and fullPage exclude each other", "send one of them");
        }
        return o;
    }

    private static BrowserSpec.@Nullable PdfOptions pdf(PdfOptionsField field) {
        BrowserSpec.PdfOptions o = field.options();
        if (o == null) {
            return null;
        }
        if (o.format() != null && !PAPER.contains(o.format().toLowerCase(Locale.ROOT))) {
            throw ApiException.invalidField(
                    "options.format",
                    "format '" + o.format() + "' is not a paper size",
                    "use one of: Letter, Legal, Tabloid, Ledger, A0–A6");
        }
        if (o.scale() != null && (o.scale() < 0.1 || o.scale() > 2)) {
            throw ApiException.invalidField("options.scale", "scale must be between 0.1 and 2", "send e.g. 1");
        }
        return o;
    }

    private static List<BrowserSpec.Element> elements(
            BrowserOperation operation, @Nullable List<BrowserSpec.Element> elements) {
        if (elements == null) {
            return List.of();
        }
        if (operation != BrowserOperation.SCRAPE) {
            throw ApiException.invalidField(
                    "elements", "elements are what a scrape takes", "leave elements out of " + operation.wireName());
        }
        if (elements.size() > MAX_ELEMENTS) {
            throw ApiException.invalidField(
                    "elements",
                    elements.size() + " elements are more than the " + MAX_ELEMENTS + " one scrape takes",
                    "scrape with fewer selectors; a selector list such as \"h1, h2\" matches several kinds at once");
        }
        for (int i = 0; i < elements.size(); i++) {
            BrowserSpec.Element element = elements.get(i);
            if (element == null
                    || element.selector() == null
                    || element.selector().isBlank()) {
                throw ApiException.invalidField(
                        "elements[" + i + "].selector",
                        "every element needs a CSS selector",
                        "send e.g. [{\"selector\": \"h1\"}, {\"selector\": \"a[href]\"}]");
            }
        }
        return elements;
    }

    static Map<String, String> headers(@Nullable Map<String, String> headers) {
        Map<String, String> h = headers == null ? Map.of() : headers;
        for (Map.Entry<String, String> e : h.entrySet()) {
            if (e.getKey().isBlank() || !e.getKey().chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
                throw ApiException.invalidField(
                        "setExtraHTTPHeaders." + e.getKey(),
                        "'" + e.getKey() + "' is not a header name",
                        "send e.g. \"X-Test\"");
            }
            if (e.getValue() == null
                    || e.getValue().indexOf('\n') >= 0
                    || e.getValue().indexOf('\r') >= 0) {
                throw ApiException.invalidField(
                        "setExtraHTTPHeaders." + e.getKey(), "the value must be one line of text", "send a string");
            }
        }
        return h;
    }

    private static List<String> resourceTypes(@Nullable List<String> types) {
        List<String> t = types == null ? List.of() : types;
        for (String type : t) {
            if (type == null || !RESOURCE_TYPES.contains(type)) {
                throw ApiException.invalidField(
                        "rejectResourceTypes",
                        "'" + type + "' is not a resource type",
                        "use any of: "
                                + String.join(
                                        ", ", RESOURCE_TYPES.stream().sorted().toList()));
            }
        }
        return t;
    }

    private static String operations() {
        return String.join(
                ", ",
                Arrays.stream(BrowserOperation.values())
                        .filter(o -> o != BrowserOperation.ACQUIRE && o != BrowserOperation.RELEASE)
                        .map(BrowserOperation::wireName)
                        .toList());
    }
}
