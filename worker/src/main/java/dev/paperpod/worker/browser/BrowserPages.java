package dev.paperpod.worker.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.TimeoutError;
import com.microsoft.playwright.options.Margin;
import com.microsoft.playwright.options.ScreenshotType;
import com.microsoft.playwright.options.WaitForSelectorState;
import com.microsoft.playwright.options.WaitUntilState;
import dev.paperpod.schemas.browser.BrowserResult;
import dev.paperpod.schemas.browser.BrowserSpec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Does one browser job's page work in a fresh context of a warm browser: load the page ({@code url} or
 * {@code html}), wait as asked, then take the screenshot, the PDF or the rendered HTML. Every step is bounded by what
 * is left of the job's time. What the page does wrong (it does not load, it answers 404, it times out) is a result
 * with its verdict; only a browser that breaks under the job is an exception.
 */
final class BrowserPages {

    private static final int DEFAULT_WIDTH = PooledBrowser.DEFAULT_WIDTH;
    private static final int DEFAULT_HEIGHT = PooledBrowser.DEFAULT_HEIGHT;
    private static final Set<String> WAIT_UNTIL = Set.of("load", "domcontentloaded", "networkidle", "commit");

    private final Clock clock;
    private final long maxResultBytes;

    BrowserPages(Clock clock, long maxResultBytes) {
        this.clock = clock;
        this.maxResultBytes = maxResultBytes;
    }

    /** What the page gave, and when the work started and ended. */
    record Done(BrowserResult result, Instant startedAt, Instant finishedAt) {}

    /**
     * Runs the job in a context of its own (the browser's spare page when the job needs no other context options),
     * which the browser closes when it is next prepared.
     *
     * @throws PlaywrightException when the browser itself failed (its connection dropped, it was killed)
     */
    Done run(PooledBrowser pooled, BrowserSpec spec) {
        Instant started = clock.instant();
        long deadline = System.nanoTime() + Duration.ofMillis(spec.timeoutMs()).toNanos();
        Browser browser = pooled.take();
        Page page = spec.userAgent() == null
                        && (spec.viewport() == null || spec.viewport().deviceScaleFactor() == null)
                ? pooled.takeSpare()
                : null;
        BrowserContext context;
        if (page != null) {
            context = page.context();
            if (spec.viewport() != null) {
                page.setViewportSize(spec.viewport().width(), spec.viewport().height());
            }
            if (!spec.extraHttpHeaders().isEmpty()) {
                context.setExtraHTTPHeaders(spec.extraHttpHeaders());
            }
        } else {
            context = browser.newContext(contextOptions(spec));
            page = context.newPage();
        }
        pooled.used(context);
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
            return failed(spec, verdictOf(e), page, response, e, started);
        }
        page.setDefaultTimeout(left(deadline));
        try {
            return done(spec, page, response, bestAttempt, started);
        } catch (TimeoutError e) {
            return failed(spec, BrowserResult.Verdict.TIMEOUT, page, response, e, started);
        }
    }

    private static Browser.NewContextOptions contextOptions(BrowserSpec spec) {
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

    private Done done(BrowserSpec spec, Page page, @Nullable Response response, boolean bestAttempt, Instant started) {
        byte[] data = null;
        String text = null;
        String contentType = spec.operation().contentType();
        switch (spec.operation()) {
            case SCREENSHOT -> {
                BrowserSpec.ScreenshotOptions o = spec.screenshot();
                Page.ScreenshotOptions shot = new Page.ScreenshotOptions();
                if (o != null) {
                    boolean jpeg = "jpeg".equals(o.type());
                    shot.setType(jpeg ? ScreenshotType.JPEG : ScreenshotType.PNG)
                            .setFullPage(Boolean.TRUE.equals(o.fullPage()))
                            .setOmitBackground(Boolean.TRUE.equals(o.omitBackground()));
                    if (jpeg) {
                        contentType = "image/jpeg";
                        if (o.quality() != null) {
                            shot.setQuality(o.quality());
                        }
                    }
                    if (o.clip() != null) {
                        shot.setClip(
                                o.clip().x(),
                                o.clip().y(),
                                o.clip().width(),
                                o.clip().height());
                    }
                }
                data = page.screenshot(shot);
            }
            case PDF -> {
                BrowserSpec.PdfOptions o = spec.pdf();
                Page.PdfOptions pdf = new Page.PdfOptions();
                if (o != null) {
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
                }
                data = page.pdf(pdf);
            }
            case CONTENT -> text = page.content();
        }
        long size = data != null ? data.length : text.getBytes(StandardCharsets.UTF_8).length;
        Instant finished = clock.instant();
        if (size > maxResultBytes) {
            return new Done(
                    new BrowserResult(
                            spec.operation(),
                            BrowserResult.Verdict.RESULT_TOO_LARGE,
                            response == null ? null : response.status(),
                            responseUrl(page, response),
                            contentType,
                            null,
                            null,
                            "the " + spec.operation().wireName() + " is " + size + " bytes, more than the "
                                    + maxResultBytes + " a result may carry (paperpod.worker.browser.max-result):"
                                    + " take a smaller viewport or clip, or a JPEG",
                            Duration.between(started, finished).toMillis()),
                    started,
                    finished);
        }
        return new Done(
                new BrowserResult(
                        spec.operation(),
                        bestAttempt ? BrowserResult.Verdict.BEST_ATTEMPT : BrowserResult.Verdict.OK,
                        response == null ? null : response.status(),
                        responseUrl(page, response),
                        contentType,
                        data,
                        text,
                        null,
                        Duration.between(started, finished).toMillis()),
                started,
                finished);
    }

    private Done failed(
            BrowserSpec spec,
            BrowserResult.Verdict verdict,
            Page page,
            @Nullable Response response,
            PlaywrightException e,
            Instant started) {
        Instant finished = clock.instant();
        return new Done(
                new BrowserResult(
                        spec.operation(),
                        verdict,
                        response == null ? null : response.status(),
                        responseUrl(page, response) == null ? spec.url() : responseUrl(page, response),
                        spec.operation().contentType(),
                        null,
                        null,
                        PooledBrowser.firstLine(e),
                        Duration.between(started, finished).toMillis()),
                started,
                finished);
    }

    /** A navigation that failed for the page's reasons ({@code net::ERR_…}); anything else broke the page. */
    private static BrowserResult.Verdict verdictOf(PlaywrightException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("net::ERR_") || message.contains("Cannot navigate to invalid URL")
                ? BrowserResult.Verdict.NAVIGATION_FAILED
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
    private static double left(long deadline) {
        return Math.max(1, (deadline - System.nanoTime()) / 1_000_000.0);
    }
}
