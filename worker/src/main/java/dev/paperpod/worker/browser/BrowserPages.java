package dev.paperpod.worker.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.TimeoutError;
import com.microsoft.playwright.options.Margin;
import com.microsoft.playwright.options.ScreenshotType;
import com.microsoft.playwright.options.WaitForSelectorState;
import com.microsoft.playwright.options.WaitUntilState;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.browser.BrowserOperation;
import dev.paperpod.schemas.browser.BrowserResult;
import dev.paperpod.schemas.browser.BrowserSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Does one browser job's page work in a fresh context of a warm browser, or on a session's page: load the page
 * ({@code url} or {@code html}), wait as asked, then take the screenshot, the PDF, the rendered HTML or Markdown,
 * scrape it or run a test's steps. Every step is bounded by what is left of the job's time. What the page does wrong (it does not load, it answers 404, it times out) is a result
 * with its verdict; only a browser that breaks under the job is an exception.
 */
final class BrowserPages {

    private static final int DEFAULT_WIDTH = PooledBrowser.DEFAULT_WIDTH;
    private static final int DEFAULT_HEIGHT = PooledBrowser.DEFAULT_HEIGHT;
    private static final Set<String> WAIT_UNTIL = Set.of("load", "domcontentloaded", "networkidle", "commit");

    private final Clock clock;
    private final long maxHarBytes;
    private final long maxResultBytes;
    private final BrowserEgress egress;
    private final BrowserSteps steps;

    BrowserPages(Clock clock, long maxResultBytes, long maxHarBytes, BrowserEgress egress) {
        this.clock = clock;
        this.maxResultBytes = maxResultBytes;
        this.maxHarBytes = maxHarBytes;
        this.egress = egress;
        this.steps = new BrowserSteps(egress);
    }

    /**
     * What the page gave, when the work started and ended, and the files it made (its recording, when traced).
     */
    record Done(BrowserResult result, Instant startedAt, Instant finishedAt, List<BrowserRecording.File> files) {
        Done(BrowserResult result, Instant startedAt, Instant finishedAt) {
            this(result, startedAt, finishedAt, List.of());
        }
    }

    /**
     * Runs the job in a context of its own (the browser's spare page when the job needs no other context options,
     * and is not traced), which the browser closes when it is next prepared.
     *
     * @param scratch where a traced job's recording is written
     * @throws PlaywrightException when the browser itself failed (its connection dropped, it was killed)
     */
    Done run(PooledBrowser pooled, BrowserSpec spec, @Nullable Path scratch) {
        Browser browser = pooled.take();
        Page page = scratch == null
                        && spec.userAgent() == null
                        && (spec.viewport() == null || spec.viewport().deviceScaleFactor() == null)
                ? pooled.takeSpare()
                : null;
        if (page == null) {
            Browser.NewContextOptions options = contextOptions(spec);
            page = browser.newContext(scratch == null ? options : BrowserRecording.withHar(options, scratch))
                    .newPage();
        }
        pooled.used(page.context());
        return recorded(browser, page, spec, scratch, true);
    }

    /**
     * Runs the job on {@code page} as it is: a session's, whose context (cookies, storage) and page the job keeps. A
     * traced call records a trace and the console, not a HAR (that is its context's, which lives on).
     *
     * @throws PlaywrightException when the browser itself failed (its connection dropped, it was killed)
     */
    Done runOn(Browser browser, Page page, BrowserSpec spec, @Nullable Path scratch) {
        return recorded(browser, page, spec, scratch, false);
    }

    private Done recorded(Browser browser, Page page, BrowserSpec spec, @Nullable Path scratch, boolean har) {
        if (scratch == null) {
            return runOn(browser, page, spec);
        }
        BrowserRecording recording = BrowserRecording.start(
                page, scratch, har, maxHarBytes, spec.operation().wireName(), clock);
        Done done = runOn(browser, page, spec);
        return new Done(done.result(), done.startedAt(), done.finishedAt(), recording.stop());
    }

    private Done runOn(Browser browser, Page page, BrowserSpec spec) {
        Instant started = clock.instant();
        long deadline = System.nanoTime() + Duration.ofMillis(spec.timeoutMs()).toNanos();
        if (spec.viewport() != null) {
            page.setViewportSize(spec.viewport().width(), spec.viewport().height());
        }
        if (!spec.extraHttpHeaders().isEmpty()) {
            page.context().setExtraHTTPHeaders(spec.extraHttpHeaders());
        }
        page.setDefaultTimeout(left(deadline));
        if (!spec.rejectResourceTypes().isEmpty()) {
            Set<String> rejected = Set.copyOf(spec.rejectResourceTypes());
            page.route("**/*", route -> {
                if (rejected.contains(route.request().resourceType())) {
                    route.abort();
                } else {
                    route.resume();
                }
            });
        }
        Response response = null;
        boolean bestAttempt = false;
        try {
            response = load(page, spec, deadline);
            String egressed = response == null ? null : response.headerValue(BrowserEgress.HEADER);
            if (egressed != null) {
                return egressFailure(spec, page, response, egressed, started);
            }
            waitAsAsked(page, spec, deadline);
        } catch (TimeoutError e) {
            if (!spec.bestAttempt()) {
                return failed(spec, BrowserResult.Verdict.TIMEOUT, page, response, e, started);
            }
            bestAttempt = true;
        } catch (PlaywrightException e) {
            if (!browser.isConnected()) {
                throw e;
            }
            String refusal = egress.refusalBehind(String.valueOf(e.getMessage()), spec.url());
            if (refusal != null) {
                return result(spec, BrowserResult.Verdict.EGRESS_REFUSED, page, response, spec.url(), refusal, started);
            }
            if (String.valueOf(e.getMessage()).contains("Download is starting")) {
                return result(
                        spec,
                        BrowserResult.Verdict.NAVIGATION_FAILED,
                        page,
                        response,
                        spec.url(),
                        "the address answers a file to download, not a page (Download is starting)",
                        started);
            }
            return failed(spec, verdictOf(e), page, response, e, started);
        }
        page.setDefaultTimeout(left(deadline));
        try {
            return done(browser, spec, page, response, bestAttempt, started, deadline);
        } catch (TimeoutError e) {
            return failed(spec, BrowserResult.Verdict.TIMEOUT, page, response, e, started);
        }
    }

    static Browser.NewContextOptions contextOptions(BrowserSpec spec) {
        Browser.NewContextOptions options = new Browser.NewContextOptions()
                .setViewportSize(
                        spec.viewport() == null
                                ? DEFAULT_WIDTH
                                : spec.viewport().width(),
                        spec.viewport() == null
                                ? DEFAULT_HEIGHT
                                : spec.viewport().height());
        if (spec.viewport() != null && spec.viewport().deviceScaleFactor() != null) {
            options.setDeviceScaleFactor(spec.viewport().deviceScaleFactor());
        }
        if (spec.userAgent() != null) {
            options.setUserAgent(spec.userAgent());
        }
        if (!spec.extraHttpHeaders().isEmpty()) {
            options.setExtraHTTPHeaders(spec.extraHttpHeaders());
        }
        return options;
    }

    private static @Nullable Response load(Page page, BrowserSpec spec, long deadline) {
        if (spec.url() == null && spec.html() == null) {
            return null; // a test whose steps go to the page, or a session's page as it is
        }
        BrowserSpec.GotoOptions go = spec.gotoOptions();
        WaitUntilState until = waitUntil(go == null ? null : go.waitUntil());
        double timeout = Math.min(left(deadline), go == null || go.timeout() == null ? Double.MAX_VALUE : go.timeout());
        if (spec.html() != null) {
            page.setContent(
                    spec.html(),
                    new Page.SetContentOptions().setWaitUntil(until).setTimeout(timeout));
            return null;
        }
        return page.navigate(
                spec.url(), new Page.NavigateOptions().setWaitUntil(until).setTimeout(timeout));
    }

    private static void waitAsAsked(Page page, BrowserSpec spec, long deadline) {
        BrowserSpec.WaitForSelector wait = spec.waitForSelector();
        if (wait != null) {
            double timeout = Math.min(left(deadline), wait.timeout() == null ? Double.MAX_VALUE : wait.timeout());
            page.waitForSelector(
                    wait.selector(),
                    new Page.WaitForSelectorOptions()
                            .setState(
                                    Boolean.TRUE.equals(wait.visible())
                                            ? WaitForSelectorState.VISIBLE
                                            : WaitForSelectorState.ATTACHED)
                            .setTimeout(timeout));
        }
        if (spec.waitForTimeout() != null && spec.waitForTimeout() > 0) {
            if (spec.waitForTimeout() > left(deadline)) {
                throw new TimeoutError("waitForTimeout " + spec.waitForTimeout() + " ms is longer than the time left");
            }
            page.waitForTimeout(spec.waitForTimeout());
        }
    }

    private Done done(
            Browser browser,
            BrowserSpec spec,
            Page page,
            @Nullable Response response,
            boolean bestAttempt,
            Instant started,
            long deadline) {
        byte[] data = null;
        String text = null;
        List<BrowserResult.Scraped> scraped = null;
        List<BrowserResult.StepOutcome> steps = null;
        BrowserResult.Verdict verdict = bestAttempt ? BrowserResult.Verdict.BEST_ATTEMPT : BrowserResult.Verdict.OK;
        String contentType = spec.operation().contentType();
        switch (spec.operation()) {
            case SCREENSHOT -> {
                BrowserSpec.ScreenshotOptions o = spec.screenshot();
                if (o != null && "jpeg".equals(o.type())) {
                    contentType = "image/jpeg";
                }
                data = page.screenshot(screenshotOptions(o));
            }
            case PDF -> data = page.pdf(pdfOptions(spec.pdf()));
            case CONTENT -> text = page.content();
            case MARKDOWN -> text = Markdown.of(page.content(), page.url());
            case SCRAPE -> {
                Scrape scrape = scrape(page, spec.elements());
                if (scrape.badSelector() != null) {
                    return result(
                            spec,
                            BrowserResult.Verdict.BAD_SELECTOR,
                            page,
                            response,
                            null,
                            scrape.badSelector(),
                            started);
                }
                scraped = scrape.scraped();
            }
            case TEST -> {
                steps = this.steps.run(browser, page, spec.steps(), deadline);
                verdict = BrowserSteps.verdict(steps);
            }
        }
        long size;
        if (data != null) {
            size = data.length;
        } else if (text != null) {
            size = text.getBytes(StandardCharsets.UTF_8).length;
        } else {
            size = Wire.mapper().writeValueAsBytes(scraped != null ? scraped : steps).length;
        }
        if (size > maxResultBytes) {
            return result(
                    spec,
                    BrowserResult.Verdict.RESULT_TOO_LARGE,
                    page,
                    response,
                    null,
                    "the " + spec.operation().wireName() + " is " + size + " bytes, more than the " + maxResultBytes
                            + " a result may carry (paperpod.worker.browser.max-result): "
                            + (spec.operation() == BrowserOperation.SCRAPE
                                    ? "scrape narrower selectors"
                                    : spec.operation() == BrowserOperation.TEST
                                            ? "take fewer or smaller screenshots"
                                            : "take a smaller viewport or clip, or a JPEG"),
                    started);
        }
        Instant finished = clock.instant();
        return new Done(
                new BrowserResult(
                        spec.operation(),
                        verdict,
                        response == null ? null : response.status(),
                        responseUrl(page, response),
                        contentType,
                        data,
                        text,
                        scraped,
                        steps,
                        null,
                        Duration.between(started, finished).toMillis(),
                        List.of()),
                started,
                finished);
    }

    private static Page.ScreenshotOptions screenshotOptions(BrowserSpec.@Nullable ScreenshotOptions o) {
        Page.ScreenshotOptions shot = new Page.ScreenshotOptions();
        if (o == null) {
            return shot;
        }
        boolean jpeg = "jpeg".equals(o.type());
        shot.setType(jpeg ? ScreenshotType.JPEG : ScreenshotType.PNG)
                .setFullPage(Boolean.TRUE.equals(o.fullPage()))
                .setOmitBackground(Boolean.TRUE.equals(o.omitBackground()));
        if (jpeg && o.quality() != null) {
            shot.setQuality(o.quality());
        }
        if (o.clip() != null) {
            shot.setClip(o.clip().x(), o.clip().y(), o.clip().width(), o.clip().height());
        }
        return shot;
    }

    private static Page.PdfOptions pdfOptions(BrowserSpec.@Nullable PdfOptions o) {
        Page.PdfOptions pdf = new Page.PdfOptions();
        if (o == null) {
            return pdf;
        }
        pdf.setLandscape(Boolean.TRUE.equals(o.landscape()))
                .setPrintBackground(Boolean.TRUE.equals(o.printBackground()));
        if (o.format() != null) {
            pdf.setFormat(o.format());
        }
        if (o.scale() != null) {
            pdf.setScale(o.scale());
        }
        if (o.margin() != null) {
            pdf.setMargin(new Margin()
                    .setTop(o.margin().top())
                    .setRight(o.margin().right())
                    .setBottom(o.margin().bottom())
                    .setLeft(o.margin().left()));
        }
        return pdf;
    }

    /**
     * The egress proxy answered instead of the site: {@code refused <why>} (the address is not to be reached) or
     * {@code failed <net::ERR_…> <why>} (the name does not resolve, the connection was refused).
     */
    private Done egressFailure(BrowserSpec spec, Page page, Response response, String header, Instant started) {
        boolean refused = header.startsWith("refused ");
        String why = BrowserEgress.why(header);
        return result(
                spec,
                refused ? BrowserResult.Verdict.EGRESS_REFUSED : BrowserResult.Verdict.NAVIGATION_FAILED,
                page,
                null,
                response.url(),
                refused ? why : why + " at " + response.url(),
                started);
    }

    /** What the selectors matched, or the first selector the browser could not read. */
    private record Scrape(
            @Nullable List<BrowserResult.Scraped> scraped,
            @Nullable String badSelector) {}

    /**
     * Every selector's matches, in one call into the page: {@code document.querySelectorAll} (plain CSS, as Browserless
     * and Cloudflare read it), each element's rendered text, inner HTML, attributes and box on the page.
     */
    @SuppressWarnings("unchecked")
    private static Scrape scrape(Page page, List<BrowserSpec.Element> elements) {
        List<String> selectors = elements.isEmpty()
                ? List.of("body")
                : elements.stream().map(BrowserSpec.Element::selector).toList();
        List<Map<String, Object>> found = (List<Map<String, Object>>) page.evaluate(SCRAPE, selectors);
        List<BrowserResult.Scraped> scraped = new ArrayList<>(found.size());
        for (Map<String, Object> one : found) {
            String selector = (String) one.get("selector");
            if (one.get("error") != null) {
                return new Scrape(null, "elements: '" + selector + "' is not a CSS selector: " + one.get("error"));
            }
            List<BrowserResult.Match> matches = new ArrayList<>();
            for (Map<String, Object> m : (List<Map<String, Object>>) one.get("results")) {
                List<BrowserResult.Attribute> attributes = new ArrayList<>();
                for (Map<String, Object> a : (List<Map<String, Object>>) m.get("attributes")) {
                    attributes.add(new BrowserResult.Attribute((String) a.get("name"), (String) a.get("value")));
                }
                matches.add(new BrowserResult.Match(
                        String.valueOf(m.get("text")),
                        String.valueOf(m.get("html")),
                        attributes,
                        number(m.get("top")),
                        number(m.get("left")),
                        number(m.get("width")),
                        number(m.get("height"))));
            }
            scraped.add(new BrowserResult.Scraped(selector, matches));
        }
        return new Scrape(scraped, null);
    }

    private static final String SCRAPE = """
            selectors => selectors.map(selector => {
              let nodes;
              try {
                nodes = document.querySelectorAll(selector);
              } catch (e) {
                return { selector, error: String(e.message) };
              }
              return {
                selector,
                results: Array.from(nodes, e => {
                  const box = e.getBoundingClientRect();
                  return {
                    text: e.innerText ?? e.textContent ?? '',
                    html: e.innerHTML ?? '',
                    attributes: Array.from(e.attributes ?? [], a => ({ name: a.name, value: a.value })),
                    top: box.top + window.scrollY,
                    left: box.left + window.scrollX,
                    width: box.width,
                    height: box.height,
                  };
                }),
              };
            })
            """;

    private static double number(@Nullable Object value) {
        return value instanceof Number n ? n.doubleValue() : 0;
    }

    private Done failed(
            BrowserSpec spec,
            BrowserResult.Verdict verdict,
            Page page,
            @Nullable Response response,
            PlaywrightException e,
            Instant started) {
        String url = responseUrl(page, response);
        return result(
                spec, verdict, page, response, url == null ? spec.url() : url, PooledBrowser.firstLine(e), started);
    }

    /** A result without what was asked for: its verdict and why. */
    private Done result(
            BrowserSpec spec,
            BrowserResult.Verdict verdict,
            Page page,
            @Nullable Response response,
            @Nullable String url,
            String error,
            Instant started) {
        Instant finished = clock.instant();
        return new Done(
                new BrowserResult(
                        spec.operation(),
                        verdict,
                        response == null ? null : response.status(),
                        url != null ? url : responseUrl(page, response),
                        spec.operation().contentType(),
                        null,
                        null,
                        null,
                        null,
                        error,
                        Duration.between(started, finished).toMillis(),
                        List.of()),
                started,
                finished);
    }

    /**
     * A navigation that failed for the page's reasons ({@code net::ERR_…}), a selector to wait for that is not CSS, or
     * else a page that broke.
     */
    private static BrowserResult.Verdict verdictOf(PlaywrightException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("net::ERR_") || message.contains("Cannot navigate to invalid URL")) {
            return BrowserResult.Verdict.NAVIGATION_FAILED;
        }
        return message.contains("while parsing css selector") || message.contains("is not a valid selector")
                ? BrowserResult.Verdict.BAD_SELECTOR
                : BrowserResult.Verdict.PAGE_ERROR;
    }

    private static @Nullable String responseUrl(Page page, @Nullable Response response) {
        if (response != null) {
            return response.url();
        }
        String url = page.url();
        return url == null || url.equals("about:blank") ? null : url;
    }

    private static WaitUntilState waitUntil(@Nullable String name) {
        if (name == null || !WAIT_UNTIL.contains(name)) {
            return WaitUntilState.LOAD;
        }
        return WaitUntilState.valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Milliseconds left until the deadline, at least one. */
    static double left(long deadline) {
        return Math.max(1, (deadline - System.nanoTime()) / 1_000_000.0);
    }
}
