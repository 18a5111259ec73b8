package dev.paperpod.worker.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.ConsoleMessage;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Tracing;
import com.microsoft.playwright.options.HarContentPolicy;
import com.microsoft.playwright.options.HarMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a job with {@code "trace": true} records while it runs: a Playwright trace (screenshots and DOM snapshots of
 * every action, for {@code npx playwright show-trace}), the page's console and uncaught errors and, in a context of
 * the job's own, every request and response as a HAR. The files are written into a directory the job's runner owns
 * and keeps as the job's artifacts.
 */
final class BrowserRecording {

    static final String TRACE = "trace.zip";
    static final String CONSOLE = "console.log";
    static final String HAR = "network.har";

    /** A file a job made, to keep as its artifact. */
    record File(String name, String contentType, Path path) {}

    private final Page page;
    private final Path dir;
    private final boolean har;
    private final long maxHarBytes;
    private final Clock clock;
    private final List<String> console = new ArrayList<>();
    private final Consumer<ConsoleMessage> onConsole = this::console;
    private final Consumer<String> onError = this::pageError;

    private BrowserRecording(Page page, Path dir, boolean har, long maxHarBytes, Clock clock) {
        this.page = page;
        this.dir = dir;
        this.har = har;
        this.maxHarBytes = maxHarBytes;
        this.clock = clock;
    }

    /** {@code options} that record the context's network into {@code dir}, for {@link #start} with {@code har}. */
    static Browser.NewContextOptions withHar(Browser.NewContextOptions options, Path dir) {
        return options.setRecordHarPath(dir.resolve(HAR))
                .setRecordHarMode(HarMode.FULL)
                .setRecordHarContent(HarContentPolicy.EMBED);
    }

    /**
     * Starts tracing {@code page}'s context and listening to its console.
     *
     * @param har whether the context was made {@link #withHar}: the HAR is written when {@link #stop} closes it
     * @param maxHarBytes the most the HAR may weigh: over it, it is kept without response bodies, over it still not
     */
    static BrowserRecording start(Page page, Path dir, boolean har, long maxHarBytes, String title, Clock clock) {
        BrowserRecording recording = new BrowserRecording(page, dir, har, maxHarBytes, clock);
        page.context()
                .tracing()
                .start(new Tracing.StartOptions()
                        .setTitle(title)
                        .setScreenshots(true)
                        .setSnapshots(true)
                        .setSources(false));
        page.onConsoleMessage(recording.onConsole);
        page.onPageError(recording.onError);
        return recording;
    }

    /**
     * Ends the recording: the trace saved, with a HAR the job's context closed so that Playwright writes it (and the
     * HAR held to its most), and the console written out. A page whose browser broke gives no files.
     */
    List<File> stop() {
        page.offConsoleMessage(onConsole);
        page.offPageError(onError);
        List<File> files = new ArrayList<>(3);
        Path trace = dir.resolve(TRACE);
        page.context().tracing().stop(new Tracing.StopOptions().setPath(trace));
        files.add(new File(TRACE, "application/zip", trace));
        try {
            if (har) {
                page.context().close();
                Path kept = HarLimit.hold(dir.resolve(HAR), maxHarBytes, this::add);
                if (kept != null) {
                    files.add(new File(HAR, "application/json", kept));
                }
            }
            Path log = dir.resolve(CONSOLE);
            synchronized (console) {
                Files.write(log, console, StandardCharsets.UTF_8);
            }
            files.add(1, new File(CONSOLE, "text/plain; charset=utf-8", log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private void console(ConsoleMessage message) {
        String location = message.location();
        add(message.type() + " " + message.text()
                + (location == null || location.isEmpty() ? "" : " (" + location + ")"));
    }

    private void pageError(String error) {
        add("pageerror " + error);
    }

    private void add(String line) {
        synchronized (console) {
            console.add(clock.instant() + " " + line);
        }
    }
}
