package dev.paperpod.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code ppod browser:screenshot}, {@code browser:pdf}, {@code browser:content}, {@code browser:markdown},
 * {@code browser:scrape} and {@code browser:test}: a page (a URL, or a local HTML file with {@code --html}) loaded in one of PaperPod's warm
 * browsers, the result written to a file (or, for HTML, Markdown and scrapes, printed).
 */
final class BrowserCommands {

    /** What a traced job's Playwright trace is called among its artifacts. */
    private static final String TRACE = "trace.zip";

    private BrowserCommands() {}

    /** The window size, for a page and for a session. */
    static final class ViewportOptions {
        @Option(names = "--width", description = "viewport width (default 1280)")
        @Nullable
        Integer width;

        @Option(names = "--height", description = "viewport height (default 720)")
        @Nullable
        Integer height;

        /** Puts {@code viewport} in the body when either side was given. */
        void putInto(Map<String, Object> body) {
            if (width != null || height != null) {
                body.put(
                        "viewport",
                        Map.of("width", width == null ? 1280 : width, "height", height == null ? 720 : height));
            }
        }
    }

    /** The page and how to load it: what every browser command takes. */
    static final class PageOptions {
        @Parameters(index = "0", arity = "0..1", description = "the page to load (http or https)")
        @Nullable
        String url;

        @Option(names = "--html", description = "a local HTML file to load instead of a URL (- for standard input)")
        @Nullable
        Path html;

        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ViewportOptions viewport;

        @Option(names = "--wait-for", description = "a CSS selector to wait for after loading")
        @Nullable
        String waitFor;

        @Option(names = "--wait-until", description = "load (default), domcontentloaded, networkidle or commit")
        @Nullable
        String waitUntil;

        @Option(names = "--best-attempt", description = "on a timeout, take the page as it is")
        boolean bestAttempt;

        @Option(names = "--timeout", description = "the whole job's limit, in milliseconds")
        @Nullable
        Long timeoutMs;

        @Option(
                names = "--session",
                description =
                        "in this browser session (browser:acquire): its cookies, and its page when no URL is given")
        @Nullable
        String session;

        @Option(
                names = "--trace",
                description = "record a Playwright trace into this file (open it with npx playwright show-trace);"
                        + " the console log and HAR are kept beside it on the server")
        @Nullable
        Path trace;

        /** The request's fields for the page. */
        Map<String, Object> body() throws IOException {
            boolean neither = url == null && html == null;
            if ((neither && session == null) || (url != null && html != null)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "give the page: a URL, or --html <file>, not both");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            if (session != null) {
                body.put("sessionId", session);
            }
            if (url != null) {
                body.put("url", url);
            } else if (html != null) {
                body.put(
                        "html",
                        html.toString().equals("-")
                                ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                                : Files.readString(html));
            }
            viewport.putInto(body);
            if (waitFor != null) {
                body.put("waitForSelector", Map.of("selector", waitFor));
            }
            if (waitUntil != null) {
                body.put("gotoOptions", Map.of("waitUntil", waitUntil));
            }
            if (bestAttempt) {
                body.put("bestAttempt", true);
            }
            if (timeoutMs != null) {
                body.put("timeoutMs", timeoutMs);
            }
            if (trace != null) {
                body.put("trace", true);
            }
            return body;
        }
    }

    /**
     * Downloads a traced job's {@code trace.zip} into {@code file} (nothing when the command was not traced) and says
     * where, on standard error when standard output carries the answer.
     */
    static void saveTrace(Ppod.Target target, @Nullable Path file, @Nullable String jobId, boolean toStdErr)
            throws Exception {
        if (file == null || jobId == null) {
            return;
        }
        long bytes;
        try (OutputStream out = Files.newOutputStream(file)) {
            bytes = target.client().download("/v1/jobs/" + jobId + "/artifacts/" + TRACE, out, (done, total) -> {});
        }
        if (!target.json) {
            PrintWriter says = toStdErr ? target.spec.commandLine().getErr() : target.out();
            says.println("trace " + file + " (" + bytes + " bytes; npx playwright show-trace " + file + ")");
            says.flush();
        }
    }

    /**
     * POSTs a browser operation, its answer's bytes into {@code sink}; when it fails, still downloads its trace into
     * {@code trace} (when given and kept): a failed page's trace is the one worth reading.
     */
    private static Client.Fetched post(
            Ppod.Target target, String path, Map<String, Object> body, OutputStream sink, @Nullable Path trace)
            throws Exception {
        try {
            return target.client().postForBytes(path, body, sink);
        } catch (Client.Failure failure) {
            try {
                saveTrace(target, trace, failure.jobId, true);
            } catch (Client.Failure none) {
                // refused before a page was opened: no trace was kept
            }
            throw failure;
        }
    }

    /** Prints the answer as JSON with {@code --json}, else as {@code lines} write it; exits 0. */
    private static int printed(Ppod.Target target, JsonNode answer, Consumer<PrintWriter> lines) {
        PrintWriter out = target.out();
        if (target.json) {
            out.println(Client.JSON.writeValueAsString(answer));
        } else {
            lines.accept(out);
        }
        out.flush();
        return 0;
    }

    /** Puts the given ones of {@code namesAndValues} (name, value, …; null: not given) in the body's options. */
    private static void withOptions(Map<String, Object> body, @Nullable Object... namesAndValues) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                options.put((String) namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        if (!options.isEmpty()) {
            body.put("options", options);
        }
    }

    /**
     * Runs one browser operation and writes its answer to {@code output}, or standard output when null; its trace to
     * {@code trace}, when given.
     */
    private static int fetch(
            Ppod.Target target,
            String operation,
            PageOptions page,
            Map<String, Object> body,
            @Nullable Path output,
            String what)
            throws Exception {
        Client.Fetched fetched;
        if (output == null) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            fetched = post(target, "/browser/" + operation, body, bytes, page.trace);
            System.out.write(bytes.toByteArray());
            System.out.flush();
        } else {
            try (OutputStream out = Files.newOutputStream(output)) {
                fetched = post(target, "/browser/" + operation, body, out, page.trace);
            }
        }
        String code = fetched.header("X-Response-Code");
        String url = fetched.header("X-Response-URL");
        String job = fetched.header("X-PaperPod-Job-Id");
        if (target.json) {
            Map<String, Object> answer = new LinkedHashMap<>();
            if (output != null) {
                answer.put("file", output.toString());
            }
            answer.put("bytes", fetched.bytes());
            answer.put("contentType", fetched.header("Content-Type"));
            if (code != null) {
                answer.put("responseCode", Integer.parseInt(code));
            }
            answer.put("responseUrl", url);
            answer.put("bestAttempt", "true".equals(fetched.header("X-PaperPod-Best-Attempt")));
            answer.put("jobId", job);
            PrintWriter err = output == null ? target.spec.commandLine().getErr() : target.out();
            err.println(Client.JSON.writeValueAsString(answer));
            err.flush();
        } else if (output != null) {
            target.out()
                    .println("wrote " + output + " (" + what + ", " + fetched.bytes() + " bytes"
                            + (code == null ? "" : ", page " + code + " " + url) + ")");
            target.out().flush();
        }
        saveTrace(target, page.trace, job, output == null);
        return 0;
    }

    @Command(name = "browser:screenshot", description = "A screenshot of a page (PNG, or JPEG with --type jpeg).")
    static final class Screenshot implements Callable<Integer> {
        @Mixin
        Ppod.Target target;

        @Mixin
        PageOptions page;

        @Option(
                names = {"-o", "--output"},
                description = "the file to write (default: screenshot.png, or .jpg)")
        @Nullable
        Path output;

        @Option(names = "--full-page", description = "the whole page, not only the viewport")
        boolean fullPage;

        @Option(names = "--type", description = "png (default) or jpeg")
        @Nullable
        String type;

        @Option(names = "--quality", description = "JPEG quality, 0-100")
        @Nullable
        Integer quality;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = page.body();
            withOptions(body, "fullPage", fullPage ? true : null, "type", type, "quality", quality);
            Path file = output != null ? output : Path.of("jpeg".equals(type) ? "screenshot.jpg" : "screenshot.png");
            return fetch(target, "screenshot", page, body, file, "screenshot");
        }
    }

    @Command(name = "browser:pdf", description = "A page printed to PDF.")
    static final class Pdf implements Callable<Integer> {
        @Mixin
        Ppod.Target target;

        @Mixin
        PageOptions page;

        @Option(
                names = {"-o", "--output"},
                description = "the file to write (default: page.pdf)")
        @Nullable
        Path output;

        @Option(names = "--format", description = "paper size: A4 (default), Letter, …")
        @Nullable
        String format;

        @Option(names = "--landscape", description = "landscape rather than portrait")
        boolean landscape;

        @Option(names = "--print-background", description = "print background colours and images")
        boolean printBackground;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = page.body();
            withOptions(
                    body,
                    "format",
                    format,
                    "landscape",
                    landscape ? true : null,
                    "printBackground",
                    printBackground ? true : null);
            return fetch(target, "pdf", page, body, output != null ? output : Path.of("page.pdf"), "PDF");
        }
    }

    /** A command whose answer is text (HTML, Markdown): printed, or written to {@code -o}. */
    abstract static class Printed implements Callable<Integer> {
        private final String operation;
        private final String what;

        Printed(String operation, String what) {
            this.operation = operation;
            this.what = what;
        }

        @Mixin
        Ppod.Target target;

        @Mixin
        PageOptions page;

        @Option(
                names = {"-o", "--output"},
                description = "write it to this file instead of printing it")
        @Nullable
        Path output;

        @Override
        public Integer call() throws Exception {
            return fetch(target, operation, page, page.body(), output, what);
        }
    }

    @Command(name = "browser:content", description = "A page's HTML as rendered, after its scripts ran.")
    static final class Content extends Printed {
        Content() {
            super("content", "HTML");
        }
    }

    @Command(name = "browser:markdown", description = "A page as rendered, as Markdown.")
    static final class Markdown extends Printed {
        Markdown() {
            super("markdown", "Markdown");
        }
    }

    @Command(
            name = "browser:scrape",
            description = "The elements CSS selectors match on a page: their text (and with --json their HTML,"
                    + " attributes and boxes).")
    static final class Scrape implements Callable<Integer> {
        @Mixin
        Ppod.Target target;

        @Mixin
        PageOptions page;

        @Option(names = "--selector", description = "a CSS selector to scrape (repeat for several; default: body)")
        List<String> selectors = new ArrayList<>();

        @Option(
                names = {"-o", "--output"},
                description = "write the whole answer (JSON) to this file")
        @Nullable
        Path output;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = page.body();
            if (!selectors.isEmpty()) {
                body.put(
                        "elements",
                        selectors.stream().map(s -> Map.of("selector", s)).toList());
            }
            if (target.json || output != null) {
                return fetch(target, "scrape", page, body, output, "scrape");
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            Client.Fetched fetched = post(target, "/browser/scrape", body, bytes, page.trace);
            saveTrace(target, page.trace, fetched.header("X-PaperPod-Job-Id"), false);
            PrintWriter out = target.out();
            for (JsonNode scraped : Client.JSON.readTree(bytes.toByteArray()).path("data")) {
                JsonNode results = scraped.path("results");
                out.println(scraped.path("selector").asString() + " (" + results.size()
                        + (results.size() == 1 ? " match)" : " matches)"));
                for (JsonNode match : results) {
                    out.println("  " + match.path("text").asString().strip().replace("\n", "\n  "));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "browser:test",
            description = "Runs a test's steps (goto, click, fill, press, waitFor, expect, screenshot) in a browser and"
                    + " prints how each went; exits 1 when one failed.")
    static final class Test implements Callable<Integer> {
        @Mixin
        Ppod.Target target;

        @Parameters(
                index = "0",
                description = "a JSON file (- for standard input): a list of steps, or a whole request"
                        + " {\"url\", \"steps\", …}")
        Path file;

        @Option(names = "--url", description = "the page to load before the first step")
        @Nullable
        String url;

        @Option(names = "--timeout", description = "the whole test's limit, in milliseconds")
        @Nullable
        Long timeoutMs;

        @Option(names = "--screenshots", description = "write the steps' screenshots to this directory (step-N.png)")
        @Nullable
        Path screenshots;

        @Option(names = "--session", description = "in this browser session (browser:acquire)")
        @Nullable
        String session;

        @Option(names = "--trace", description = "record a Playwright trace of the steps into this file")
        @Nullable
        Path trace;

        @Override
        @SuppressWarnings("unchecked")
        public Integer call() throws Exception {
            JsonNode given = Client.JSON.readTree(
                    file.toString().equals("-") ? System.in.readAllBytes() : Files.readAllBytes(file));
            Map<String, Object> body = new LinkedHashMap<>();
            if (given.isArray()) {
                body.put("steps", Client.JSON.convertValue(given, List.class));
            } else if (given.isObject()) {
                body.putAll(Client.JSON.convertValue(given, Map.class));
            } else {
                throw new CommandLine.ParameterException(
                        target.spec.commandLine(), file + " holds neither a list of steps nor a request");
            }
            if (url != null) {
                body.put("url", url);
            }
            if (timeoutMs != null) {
                body.put("timeoutMs", timeoutMs);
            }
            if (session != null) {
                body.put("sessionId", session);
            }
            if (trace != null) {
                body.put("trace", true);
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            Client.Fetched fetched = post(target, "/browser/test", body, answer, trace);
            JsonNode report = Client.JSON.readTree(answer.toByteArray());
            PrintWriter out = target.out();
            if (screenshots != null) {
                Files.createDirectories(screenshots);
            }
            if (target.json) {
                out.println(Client.JSON.writeValueAsString(report));
            }
            for (JsonNode step : report.path("steps")) {
                String status = step.path("status").asString();
                if (!target.json) {
                    String mark = status.equals("PASSED") ? "ok  " : status.equals("FAILED") ? "FAIL" : "skip";
                    out.println(mark + " " + (step.path("index").asInt() + 1) + " "
                            + step.path("action").asString()
                            + (status.equals("SKIPPED")
                                    ? ""
                                    : " (" + step.path("durationMs").asLong() + " ms)"));
                    if (step.hasNonNull("error")) {
                        out.println("     " + step.path("error").asString().replace("\n", "\n     "));
                    }
                }
                if (screenshots != null && step.hasNonNull("screenshot")) {
                    Path shot =
                            screenshots.resolve("step-" + (step.path("index").asInt() + 1) + ".png");
                    Files.write(
                            shot,
                            Base64.getDecoder().decode(step.path("screenshot").asString()));
                    if (!target.json) {
                        out.println("     screenshot: " + shot);
                    }
                }
            }
            saveTrace(target, trace, fetched.header("X-PaperPod-Job-Id"), false);
            boolean passed = report.path("passed").asBoolean();
            if (!target.json) {
                out.println((passed ? "passed" : "failed") + " in "
                        + report.path("durationMs").asLong() + " ms");
            }
            out.flush();
            return passed ? 0 : 1;
        }
    }

    @Command(
            name = "browser:acquire",
            description = "Opens a browser session: later commands with --session <id> share its cookies, storage and"
                    + " page. Prints the session id.")
    static final class Acquire implements Callable<Integer> {
        @Mixin
        Ppod.Target target;

        @Option(names = "--idle-timeout", description = "seconds the session lives without a command (default 300)")
        @Nullable
        Long idleSeconds;

        @Mixin
        ViewportOptions viewport;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            if (idleSeconds != null) {
                body.put("idleTimeoutMs", idleSeconds * 1000);
            }
            viewport.putInto(body);
            JsonNode session = target.client().post("/browser/acquire", body);
            return printed(
                    target,
                    session,
                    out -> out.println(session.path("sessionId").asString()));
        }
    }

    @Command(name = "browser:sessions", description = "Your open browser sessions.")
    static final class Sessions implements Callable<Integer> {
        @Mixin
        Ppod.Target target;

        @Override
        public Integer call() throws Exception {
            JsonNode sessions = target.client().get("/browser/sessions");
            return printed(target, sessions, out -> {
                for (JsonNode s : sessions.path("data")) {
                    out.println(s.path("sessionId").asString() + "  since "
                            + s.path("createdAt").asString() + "  "
                            + s.path("seconds").asLong()
                            + " s of use  idle until " + s.path("expiresAt").asString());
                }
            });
        }
    }

    @Command(name = "browser:release", description = "Ends a browser session and its browser.")
    static final class Release implements Callable<Integer> {
        @Mixin
        Ppod.Target target;

        @Parameters(index = "0", description = "the session id")
        String session;

        @Override
        public Integer call() throws Exception {
            JsonNode ended = target.client().delete("/browser/sessions/" + session);
            return printed(
                    target,
                    ended,
                    out -> out.println("released " + session + " after "
                            + ended.path("seconds").asLong() + " s of use"));
        }
    }

    @Command(name = "browser:limits", description = "How many browser sessions you may hold, and for how long.")
    static final class Limits implements Callable<Integer> {
        @Mixin
        Ppod.Target target;

        @Override
        public Integer call() throws Exception {
            JsonNode limits = target.client().get("/browser/limits");
            return printed(target, limits, out -> {
                out.println("sessions: " + limits.path("openSessions").asInt() + " open of "
                        + limits.path("maxSessions").asInt());
                out.println(
                        "idle timeout: " + limits.path("defaultIdleTimeoutMs").asLong() / 1000 + " s (at most "
                                + limits.path("maxIdleTimeoutMs").asLong() / 1000 + " s)");
                out.println("job timeout: " + limits.path("defaultTimeoutMs").asLong() / 1000 + " s (at most "
                        + limits.path("maxTimeoutMs").asLong() / 1000 + " s)");
            });
        }
    }

    @Command(
            name = "browser:connect",
            description = "The WebSocket endpoint of a browser session for your own Playwright client, and how to"
                    + " connect to it.")
    static final class Connect implements Callable<Integer> {
        @Mixin
        Ppod.Target target;

        @Parameters(index = "0", description = "the session id (browser:acquire)")
        String session;

        @Override
        public Integer call() throws Exception {
            boolean open = false;
            for (JsonNode s : target.client().get("/browser/sessions").path("data")) {
                open |= s.path("sessionId").asString().equals(session);
            }
            if (!open) {
                throw new Client.Failure(
                        "SESSION_NOT_FOUND",
                        "no open browser session " + session,
                        "acquire one: ppod browser:acquire",
                        null);
            }
            Login login = Login.read(Ppod.ENV.get());
            String endpoint = login.url().replaceFirst("^http", "ws") + "/browser/sessions/" + session + "/connect";
            PrintWriter out = target.out();
            if (target.json) {
                out.println(Client.JSON.writeValueAsString(
                        Map.of("wsEndpoint", endpoint, "headers", Map.of("Authorization", "Bearer " + login.token()))));
            } else {
                out.println(endpoint);
                out.println("  connect with the header Authorization: Bearer <your token>, e.g. in Node:");
                out.println("  await chromium.connect('" + endpoint
                        + "', { headers: { Authorization: 'Bearer ' + process.env.PAPERPOD_TOKEN } })");
            }
            out.flush();
            return 0;
        }
    }
}
