package dev.paperpod.worker.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One warm browser: its container and this worker's connection to it, and a spare page: a fresh context no job has
 * seen, opened while the browser was idle, since opening a page (a new renderer process) is most of a small job's
 * time. Playwright's objects are used by one thread at a time — the job that holds the browser, or the pool's
 * preparing it between jobs — each browser with a Playwright of its own.
 */
final class PooledBrowser {

    private static final Logger log = LoggerFactory.getLogger(PooledBrowser.class);

    private final BrowserContainers.Container container;
    private final Playwright playwright;
    private final Browser browser;
    static final int DEFAULT_WIDTH = 1280;
    static final int DEFAULT_HEIGHT = 720;

    private int contexts;
    private @Nullable Page spare;
    private @Nullable BrowserContext used;

    private PooledBrowser(BrowserContainers.Container container, Playwright playwright, Browser browser) {
        this.container = container;
        this.playwright = playwright;
        this.browser = browser;
    }

    /** Connects to a started container; on failure nothing is left open but the container, for the caller. */
    static PooledBrowser connect(BrowserContainers.Container container, double timeoutMs) {
        Playwright playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            Browser browser = playwright
                    .chromium()
                    .connect(container.endpoint(), new BrowserType.ConnectOptions().setTimeout(timeoutMs));
            return new PooledBrowser(container, playwright, browser);
        } catch (PlaywrightException e) {
            playwright.close();
            throw new BrowserException("cannot connect to browser " + container.id() + ": " + firstLine(e), e);
        }
    }

    String id() {
        return container.id();
    }

    BrowserContainers.Container container() {
        return container;
    }

    /** The browser, for one job; counts the context the job is about to open. */
    Browser take() {
        contexts++;
        return browser;
    }

    /** The spare page, for a job that needs nothing of a context's options but its viewport and headers. */
    @Nullable
    Page takeSpare() {
        Page page = spare;
        spare = null;
        return page;
    }

    /** The job's context, closed when the browser is next prepared (after the job's answer, not before it). */
    void used(BrowserContext context) {
        used = context;
    }

    /** Between jobs: closes the last job's context and opens the next spare page. */
    void prepare() {
        if (used != null) {
            used.close();
            used = null;
        }
        if (spare == null) {
            spare = browser.newContext(new Browser.NewContextOptions().setViewportSize(DEFAULT_WIDTH, DEFAULT_HEIGHT))
                    .newPage();
        }
    }

    int contexts() {
        return contexts;
    }

    boolean connected() {
        return browser.isConnected();
    }

    /** Ends the connection (not the container). */
    void disconnect() {
        try {
            playwright.close();
        } catch (RuntimeException e) {
            log.debug("Closing the connection to browser {}: {}", container.id(), e.toString());
        }
    }

    /**
     * What went wrong, in one line: Playwright's messages are blocks ({@code Error {\n  message='net::ERR_… at …'}, a
     * call log, a stack) whose first line says nothing.
     */
    static String firstLine(Throwable e) {
        String message = message(e);
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    /** Playwright's message, out of the {@code Error {\n  message='…'} it comes wrapped in. */
    static String message(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int quoted = message.indexOf("message='");
        if (quoted < 0) {
            return message;
        }
        message = message.substring(quoted + "message='".length());
        int name = message.indexOf("\n  name='");
        if (name >= 0) {
            message = message.substring(0, name);
        }
        return message.endsWith("'") ? message.substring(0, message.length() - 1) : message;
    }
}
