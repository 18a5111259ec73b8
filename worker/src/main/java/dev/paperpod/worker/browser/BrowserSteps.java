package dev.paperpod.worker.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.Response;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.assertions.PageAssertions;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.paperpod.schemas.browser.BrowserResult;
import dev.paperpod.schemas.browser.BrowserResult.StepOutcome;
import dev.paperpod.schemas.browser.BrowserResult.StepStatus;
import dev.paperpod.schemas.browser.BrowserSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A browser test: its declarative steps run in order on the job's page, each bounded by its own timeout and what is
 * left of the job's. Expectations are Playwright's own assertions, which retry until they hold or time out, so a
 * step waits for the page the way a Playwright test would. The first step that fails ends the run (the rest are
 * skipped) and keeps a screenshot of the page as it was then; a browser that breaks under the test is an exception.
 */
final class BrowserSteps {

    private static final int MAX_ERROR = 2_000;

    private final BrowserEgress egress;

    BrowserSteps(BrowserEgress egress) {
        this.egress = egress;
    }

    /** A step that did not do what it says, in the words a user needs. */
    private static final class StepFailed extends RuntimeException {
        StepFailed(String message) {
            super(message, null, false, false);
        }
    }

    List<StepOutcome> run(Browser browser, Page page, List<BrowserSpec.Step> steps, long deadline) {
        List<StepOutcome> outcomes = new ArrayList<>(steps.size());
        boolean failed = false;
        for (int i = 0; i < steps.size(); i++) {
            BrowserSpec.Step step = steps.get(i);
            if (failed) {
                outcomes.add(new StepOutcome(i, step.action(), StepStatus.SKIPPED, 0, null, null));
                continue;
            }
            long began = System.nanoTime();
            double timeout =
                    Math.min(BrowserPages.left(deadline), step.timeout() == null ? Double.MAX_VALUE : step.timeout());
            byte[] shot = null;
            String error = null;
            try {
                shot = one(page, step, timeout);
            } catch (PlaywrightException | AssertionError | StepFailed e) {
                if (!browser.isConnected()) {
                    throw e instanceof PlaywrightException p ? p : new PlaywrightException(e.getMessage());
                }
                failed = true;
                error = words(e);
                shot = screenshotAsItIs(page, deadline);
            }
            outcomes.add(new StepOutcome(
                    i,
                    step.action(),
                    error == null ? StepStatus.PASSED : StepStatus.FAILED,
                    (System.nanoTime() - began) / 1_000_000,
                    error,
                    shot));
        }
        return outcomes;
    }

    private static boolean passed(List<StepOutcome> outcomes) {
        return outcomes.stream().allMatch(o -> o.status() == StepStatus.PASSED);
    }

    /** Does one step; answers its screenshot, for a screenshot step. */
    private byte[] one(Page page, BrowserSpec.Step step, double timeout) {
        Locator element = step.selector() == null ? null : page.locator(step.selector());
        switch (step.action()) {
            case "goto" -> {
                Response response = page.navigate(step.url(), new Page.NavigateOptions().setTimeout(timeout));
                String egressed = response == null ? null : response.headerValue(BrowserEgress.HEADER);
                if (egressed != null) {
                    throw new StepFailed(BrowserEgress.why(egressed));
                }
            }
            case "click" -> element.click(new Locator.ClickOptions().setTimeout(timeout));
            case "fill" -> element.fill(step.value(), new Locator.FillOptions().setTimeout(timeout));
            case "press" -> {
                if (element != null) {
                    element.press(step.key(), new Locator.PressOptions().setTimeout(timeout));
                } else {
                    page.keyboard().press(step.key());
                }
            }
            case "waitFor" -> {
                if (step.ms() != null) {
                    if (step.ms() > timeout) {
                        throw new StepFailed("waiting " + step.ms() + " ms is longer than the time left ("
                                + (long) timeout + " ms)");
                    }
                    page.waitForTimeout(step.ms());
                } else {
                    element.waitFor(new Locator.WaitForOptions()
                            .setState(WaitForSelectorState.valueOf(
                                    (step.state() == null ? "visible" : step.state()).toUpperCase(Locale.ROOT)))
                            .setTimeout(timeout));
                }
            }
            case "expect" -> expect(page, element, step, timeout);
            case "screenshot" -> {
                return page.screenshot(new Page.ScreenshotOptions()
                        .setFullPage(Boolean.TRUE.equals(step.fullPage()))
                        .setTimeout(timeout));
            }
            default -> throw new StepFailed("'" + step.action() + "' is not a step");
        }
        return null;
    }

    private static void expect(Page page, Locator element, BrowserSpec.Step step, double timeout) {
        if (step.text() != null) {
            PlaywrightAssertions.assertThat(element)
                    .containsText(step.text(), new LocatorAssertions.ContainsTextOptions().setTimeout(timeout));
        } else if (step.visible() != null) {
            if (step.visible()) {
                PlaywrightAssertions.assertThat(element)
                        .isVisible(new LocatorAssertions.IsVisibleOptions().setTimeout(timeout));
            } else {
                PlaywrightAssertions.assertThat(element)
                        .isHidden(new LocatorAssertions.IsHiddenOptions().setTimeout(timeout));
            }
        } else if (step.count() != null) {
            PlaywrightAssertions.assertThat(element)
                    .hasCount(step.count(), new LocatorAssertions.HasCountOptions().setTimeout(timeout));
        } else if (step.url() != null) {
            PlaywrightAssertions.assertThat(page)
                    .hasURL(containing(step.url()), new PageAssertions.HasURLOptions().setTimeout(timeout));
        } else {
            PlaywrightAssertions.assertThat(page)
                    .hasTitle(containing(step.title()), new PageAssertions.HasTitleOptions().setTimeout(timeout));
        }
    }

    /** A pattern that finds {@code text} anywhere, written so JavaScript's RegExp reads it as Java's does. */
    private static Pattern containing(String text) {
        return Pattern.compile(text.replaceAll("[\\\\^$.|?*+()\\[\\]{}/]", "\\\\$0"));
    }

    private static byte[] screenshotAsItIs(Page page, long deadline) {
        try {
            return page.screenshot(
                    new Page.ScreenshotOptions().setTimeout(Math.min(5_000, BrowserPages.left(deadline))));
        } catch (PlaywrightException e) {
            return null;
        }
    }

    /**
     * Why a step failed: Playwright's message (what was expected, what was found) without its call log, or the
     * egress rules' refusal.
     */
    private String words(Throwable e) {
        String message = e instanceof StepFailed ? e.getMessage() : PooledBrowser.message(e);
        int log = message.indexOf("Call log:");
        if (log >= 0) {
            message = message.substring(0, log);
        }
        message = message.strip();
        String refusal = egress.refusalBehind(message, message.replaceAll("(?s).* at (\\S+).*", "$1"));
        if (refusal != null) {
            message = refusal;
        }
        return message.length() > MAX_ERROR ? message.substring(0, MAX_ERROR) + "…" : message;
    }

    static BrowserResult.Verdict verdict(List<StepOutcome> outcomes) {
        return passed(outcomes) ? BrowserResult.Verdict.OK : BrowserResult.Verdict.TEST_FAILED;
    }
}
