package dev.paperpod.benchmarks;

import com.github.dockerjava.api.DockerClient;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.paperpod.launcher.EmbeddedStack;
import dev.paperpod.schemas.Wire;
import dev.paperpod.worker.WorkerProperties;
import dev.paperpod.worker.browser.BrowserContainers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Browser jobs through the whole path (HTTP → Kafka → worker → a warm browser → HTTP) beside Playwright for Java
 * driving a browser container of the same image directly (a fresh context, the same page, the same screenshot or PDF),
 * taking turns in the same run, and the same screenshot in a browser session; then screenshots per second with every
 * browser of the pool busy, a batch of screenshots as a bulk pipeline, and the memory of an idle warm browser.
 */
final class BrowserLatency {

    private static final String PAGE = "<html><body style='font-family:sans-serif'><h1>PaperPod</h1>"
            + "<p>a small page for the benchmark</p><ul><li>one</li><li>two</li></ul></body></html>";
    private static final int WARM_UP = 10;
    /** Sessions opened one after another, each once the spare browser made after the last had time to start. */
    private static final int SESSIONS = 5;

    private static final long SPARE_READY_MS = 5_000;

    private BrowserLatency() {}

    /** The samples (whole path and direct, screenshot and PDF), and the report's lines. */
    record Result(List<Samples> samples, String summary) {}

    static Result measure(EmbeddedStack stack, int count, int throughputSeconds, int batchSize) throws Exception {
        ConfigurableApplicationContext worker = stack.workers().get(0);
        WorkerProperties properties = worker.getBean(WorkerProperties.class);
        BrowserContainers containers =
                new BrowserContainers(worker.getBean(DockerClient.class), properties.browser(), "bench", null);
        HttpClient http = HttpClient.newHttpClient();
        Samples shot = new Samples("browser screenshot, HTTP → worker → browser");
        Samples shotDirect = new Samples("baseline: Playwright → the same image, screenshot");
        Samples pdf = new Samples("browser PDF, HTTP → worker → browser");
        Samples pdfDirect = new Samples("baseline: Playwright → the same image, PDF");
        Samples inSession = new Samples("browser screenshot in a session (its own page, no new context)");
        Samples traced = new Samples("browser screenshot traced (trace.zip, console.log, network.har kept)");
        Samples firstAcquire = new Samples("browser session acquire, the worker's first (a container's start)");
        Samples spareAcquire = new Samples("browser session acquire, a spare browser ready");
        BrowserContainers.Container direct = containers.create();
        String idleMemory;
        try (Playwright playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")))) {
            Browser browser = playwright.chromium().connect(direct.endpoint());
            idleMemory = Benchmarks.run(Benchmarks.podman(
                            "stats", "--no-stream", "--format", "{{.MemUsage}}", "paperpod-" + direct.id()))
                    .trim();
            long acquiring = System.nanoTime();
            String session = acquire(http, stack);
            firstAcquire.add(System.nanoTime() - acquiring);
            try {
                for (int i = -WARM_UP; i < count; i++) {
                    long a = viaApi(http, stack, "screenshot", Map.of());
                    long b = directly(browser, false);
                    long c = viaApi(http, stack, "pdf", Map.of());
                    long d = directly(browser, true);
                    long e = viaApi(http, stack, "screenshot", Map.of("sessionId", session));
                    long f = viaApi(http, stack, "screenshot", Map.of("trace", true));
                    if (i >= 0) {
                        shot.add(a);
                        shotDirect.add(b);
                        pdf.add(c);
                        pdfDirect.add(d);
                        inSession.add(e);
                        traced.add(f);
                    }
                }
            } finally {
                release(http, stack, session);
            }
            for (int i = 0; i < SESSIONS; i++) {
                // a session now and then, as an agent opens them: the spare made after the last is ready
                TimeUnit.MILLISECONDS.sleep(SPARE_READY_MS);
                long start = System.nanoTime();
                String another = acquire(http, stack);
                spareAcquire.add(System.nanoTime() - start);
                release(http, stack, another);
            }
        } finally {
            containers.destroy(direct);
        }
        int browsers = properties.browser().max();
        double perSecond = throughput(http, stack, browsers, throughputSeconds);
        String batch = batchSize > 0 ? batch(http, stack, batchSize, perSecond) : "";
        String summary = batch
                + String.format(
                        Locale.ROOT,
                        "ratio browser screenshot whole path / direct, p50: %.2f, p99: %.2f; PDF p50: %.2f, p99: %.2f%n"
                                + "ratio screenshot in a session / fresh context, p50: %.2f, p99: %.2f%n"
                                + "ratio traced screenshot / untraced, p50: %.2f, p99: %.2f%n"
                                + "session acquire: the worker's first %.0f ms, with a spare ready p50 %.0f ms, p99 %.0f"
                                + " ms (%d)%n"
                                + "screenshots per second with the pool full (%d browsers, %d clients, %d s): %.1f%n"
                                + "an idle warm browser container: %s%n",
                        shot.p50() / shotDirect.p50(),
                        shot.p99() / shotDirect.p99(),
                        pdf.p50() / pdfDirect.p50(),
                        pdf.p99() / pdfDirect.p99(),
                        inSession.p50() / shot.p50(),
                        inSession.p99() / shot.p99(),
                        traced.p50() / shot.p50(),
                        traced.p99() / shot.p99(),
                        firstAcquire.p50(),
                        spareAcquire.p50(),
                        spareAcquire.p99(),
                        SESSIONS,
                        browsers,
                        browsers,
                        throughputSeconds,
                        perSecond,
                        idleMemory);
        return new Result(
                List.of(shot, shotDirect, pdf, pdfDirect, inSession, traced, firstAcquire, spareAcquire), summary);
    }

    /** A browser session for the benchmark's account. */
    private static String acquire(HttpClient http, EmbeddedStack stack) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/browser/acquire"))
                        .header("Authorization", "Bearer " + stack.devToken())
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("acquire answered " + r.statusCode() + ": " + r.body());
        }
        return Wire.mapper().readTree(r.body()).path("sessionId").asString();
    }

    private static void release(HttpClient http, EmbeddedStack stack, String session) throws Exception {
        http.send(
                HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/browser/sessions/" + session))
                        .header("Authorization", "Bearer " + stack.devToken())
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** One call through the whole path, the small page with {@code extra} fields (a session, a trace). */
    private static long viaApi(HttpClient http, EmbeddedStack stack, String operation, Map<String, Object> extra)
            throws Exception {
        Map<String, Object> body = new java.util.HashMap<>(extra);
        body.put("html", PAGE);
        long start = System.nanoTime();
        HttpResponse<byte[]> r = http.send(
                HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/browser/" + operation))
                        .header("Authorization", "Bearer " + stack.devToken())
                        .POST(HttpRequest.BodyPublishers.ofString(Wire.writeString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        long took = System.nanoTime() - start;
        if (r.statusCode() != 200 || r.body().length < 100) {
            throw new IllegalStateException(operation + " answered " + r.statusCode() + ": " + new String(r.body()));
        }
        return took;
    }

    /** What the worker does for a job, and nothing else: a fresh context, the page, the picture or the PDF. */
    private static long directly(Browser browser, boolean asPdf) {
        long start = System.nanoTime();
        BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 720));
        try {
            Page page = context.newPage();
            page.setContent(PAGE);
            byte[] bytes = asPdf ? page.pdf() : page.screenshot();
            if (bytes.length < 100) {
                throw new IllegalStateException("an empty " + (asPdf ? "PDF" : "screenshot"));
            }
        } finally {
            context.close();
        }
        return System.nanoTime() - start;
    }

    /**
     * A batch of {@code size} screenshots of different pages ({@code POST /v1/batches}, the bulk pipeline), from its
     * submission until the batch says it completed; beside the pool-full sync rate measured just before.
     */
    private static String batch(HttpClient http, EmbeddedStack stack, int size, double syncPerSecond) throws Exception {
        List<Map<String, String>> inputs = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            inputs.add(Map.of("html", PAGE.replace("PaperPod", "page " + i)));
        }
        String body = Wire.writeString(
                Map.of("template", Map.of("kind", "browser", "operation", "screenshot"), "inputs", inputs));
        long start = System.nanoTime();
        HttpResponse<String> accepted = http.send(
                HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/batches"))
                        .header("Authorization", "Bearer " + stack.devToken())
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (accepted.statusCode() != 202) {
            throw new IllegalStateException("the batch answered " + accepted.statusCode() + ": " + accepted.body());
        }
        long acceptedAt = System.nanoTime();
        String id = Wire.mapper().readTree(accepted.body()).path("id").asString();
        JsonNode view;
        while (true) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/batches/" + id))
                            .header("Authorization", "Bearer " + stack.devToken())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            view = Wire.mapper().readTree(r.body());
            if (view.has("completedAt")) {
                break;
            }
            LockSupport.parkNanos(500_000_000L);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int succeeded = view.path("counts").path("SUCCEEDED").asInt();
        return String.format(
                Locale.ROOT,
                "a batch of %d screenshots (POST /v1/batches, accepted in %d ms): all done in %.1f s, %.2f pages/s,"
                        + " %d succeeded; %.2f of the pool-full sync rate%n",
                size,
                (acceptedAt - start) / 1_000_000,
                seconds,
                size / seconds,
                succeeded,
                size / seconds / syncPerSecond);
    }

    /** Screenshots a second through the whole path, {@code clients} at once for {@code seconds}. */
    private static double throughput(HttpClient http, EmbeddedStack stack, int clients, int seconds) throws Exception {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicInteger done = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                running.add(threads.submit(() -> {
                    while (System.nanoTime() < until) {
                        viaApi(http, stack, "screenshot", Map.of());
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }
}
