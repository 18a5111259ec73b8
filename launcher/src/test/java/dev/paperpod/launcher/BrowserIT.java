package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.sun.net.httpserver.HttpServer;
import dev.paperpod.api.auth.AccountTokens;
import dev.paperpod.artifacts.ArtifactStore;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import dev.paperpod.schemas.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Browser jobs end to end, in the shared stack's warm browser containers (Debian's Chromium behind playwright-core's
 * server): a screenshot, a PDF and the rendered HTML of pages given whole and of pages this test serves, sync and in
 * the background; each refusal clear; nothing of one job seen by the next.
 */
@ExtendWith(SharedStack.class)
class BrowserIT {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Pages for the browser, on every address of this machine: the browser containers reach it by their gateway. */
    private static HttpServer pages;
    /** Requests that reached {@code /canary}, by any address. */
    private static final AtomicInteger canaryHits = new AtomicInteger();

    private final Api api;
    private final String base;
    private final EmbeddedStack stack;

    BrowserIT(Api api, EmbeddedStack stack) {
        this.api = api;
        this.base = stack.baseUrl();
        this.stack = stack;
    }

    @BeforeAll
    static void servePages() throws IOException {
        pages = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 0);
        pages.createContext("/hello", exchange -> answer(exchange, 200, """
                <html><head><title>Hello</title></head>
                <body><h1 id="late"></h1>
                <script>setTimeout(() => { document.getElementById('late').textContent = 'drawn by script'; }, 50);
                </script></body></html>"""));
        pages.createContext("/cookie", exchange -> answer(exchange, 200, """
                <html><body><p id="seen"></p><script>
                document.getElementById('seen').textContent = 'before:[' + document.cookie + ']';
                document.cookie = 'visited=yes; max-age=3600';
                </script></body></html>"""));
        pages.createContext("/news", exchange -> answer(exchange, 200, """
                <html><head><title>News</title><style>h1 { color: #123 }</style></head><body>
                <h1 class="title">Release notes</h1>
                <ul id="items"></ul>
                <p>Read <a href="/docs/api" rel="help">the API</a>.</p>
                <script>
                for (const name of ['faster', 'smaller']) {
                  const li = document.createElement('li');
                  li.className = 'item';
                  li.textContent = name;
                  document.getElementById('items').append(li);
                }
                </script></body></html>"""));
        pages.createContext("/canary", exchange -> {
            canaryHits.incrementAndGet();
            answer(exchange, 200, "<p>reached</p>");
        });
        pages.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders()
                    .set("Location", exchange.getRequestURI().getQuery().substring("to=".length()));
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        pages.createContext("/fetches", exchange -> {
            String own = "http://" + ownAddress() + ":" + pages.getAddress().getPort() + "/canary";
            answer(
                    exchange,
                    200,
                    "<p id='r'></p><script>Promise.allSettled(['/canary', '" + own
                            + "', 'http://127.0.0.1:3000/'].map(u => fetch(u, {mode: 'no-cors'})))"
                            + ".then(a => { document.getElementById('r').textContent = 'done ' + a.length; });</script>");
        });
        pages.createContext("/login", exchange -> answer(exchange, 200, """
                <html><head><title>Sign in</title></head><body>
                <form id="f"><input id="email" name="email"><button id="go" type="submit">Sign in</button></form>
                <h1 id="hello"></h1>
                <script>
                document.getElementById('f').addEventListener('submit', (e) => {
                  e.preventDefault();
                  setTimeout(() => {
                    document.getElementById('hello').textContent = 'Welcome ' + document.getElementById('email').value;
                    document.title = 'Signed in';
                    history.pushState({}, '', '/welcome');
                  }, 100);
                });
                </script></body></html>"""));
        pages.createContext("/data.json", exchange -> {
            byte[] json = "{\"answer\": 42}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, json.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(json);
            }
        });
        pages.createContext("/report.csv", exchange -> {
            byte[] csv = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/csv");
            exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=report.csv");
            exchange.sendResponseHeaders(200, csv.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(csv);
            }
        });
        pages.createContext("/chatty", exchange -> answer(exchange, 200, """
                <html><head><title>Chatty</title></head><body><p>talks</p>
                <script>console.log('hello from the page'); console.warn('careful');</script>
                <script>throw new Error('thrown on purpose');</script>
                </body></html>"""));
        pages.createContext("/missing", exchange -> answer(exchange, 404, "<html><body>no such page</body></html>"));
        pages.start();
    }

    @AfterAll
    static void stopPages() {
        pages.stop(0);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String html)
            throws IOException {
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * This machine's own address outside Podman's network: the test pages answer there too (they listen on every
     * address), so only the egress rules keep a browser from them.
     */
    private static String ownAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address
                        && !address.isLoopbackAddress()
                        && !address.getHostAddress().startsWith("10.88.")) {
                    return address.getHostAddress();
                }
            }
        }
        throw new IllegalStateException("this machine has no address beside loopback and Podman's network");
    }

    /** The address the browser containers reach this machine by: their network's gateway. */
    private static String page(String path) {
        return "http://10.88.0.1:" + pages.getAddress().getPort() + path;
    }

    private HttpResponse<byte[]> post(String path, Map<String, ?> body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", "Bearer " + api.token())
                        .timeout(Duration.ofMinutes(2))
                        .POST(HttpRequest.BodyPublishers.ofString(Wire.writeString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The text of the first element the first selector of a scrape matched. */
    private static String firstMatchText(HttpResponse<byte[]> scrape) {
        return json(scrape)
                .path("data")
                .get(0)
                .path("results")
                .get(0)
                .path("text")
                .asString();
    }

    /** Asserts the answer is PaperPod's error of {@code status} and {@code code}; answers its {@code error}. */
    private static JsonNode assertError(HttpResponse<byte[]> response, int status, String code) {
        assertThat(response.statusCode())
                .as(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(status);
        JsonNode error = json(response).path("error");
        assertThat(error.path("code").asString()).isEqualTo(code);
        return error;
    }

    /** GETs {@code path} of the api as bytes, with {@code headers} (name, value, …), as {@code token}'s account. */
    private HttpResponse<byte[]> download(String path, String token, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofMinutes(1));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The entries of a zip, by name. */
    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }

    private static JsonNode json(HttpResponse<byte[]> response) {
        return Wire.mapper().readTree(response.body());
    }

    @Test
    void aScreenshotOfAPageGivenWholeIsAPngOfTheViewport() throws Exception {
        HttpResponse<byte[]> shot = post(
                "/browser/screenshot",
                Map.of(
                        "html",
                        "<h1 style='font-size:64px'>PaperPod</h1>",
                        "viewport",
                        Map.of("width", 640, "height", 360)));

        assertThat(shot.statusCode())
                .as(new String(shot.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(shot.headers().firstValue("Content-Type")).hasValue("image/png");
        ByteBuffer png = ByteBuffer.wrap(shot.body());
        assertThat(png.getLong(0)).as("the PNG signature").isEqualTo(0x89504E470D0A1A0AL);
        assertThat(png.getInt(16)).as("width").isEqualTo(640);
        assertThat(png.getInt(20)).as("height").isEqualTo(360);
        assertThat(shot.headers().firstValue("X-PaperPod-Job-Id")).isPresent();
    }

    @Test
    void thePagesOwnStatusAndAddressComeInHeadersAndItsScriptsHaveRun() throws Exception {
        HttpResponse<byte[]> content = post(
                "/browser/content",
                Map.of("url", page("/hello"), "waitForSelector", Map.of("selector", "#late:not(:empty)")));

        assertThat(content.statusCode())
                .as(new String(content.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(new String(content.body(), StandardCharsets.UTF_8)).contains("drawn by script");
        assertThat(content.headers().firstValue("X-Response-Code")).hasValue("200");
        assertThat(content.headers().firstValue("X-Response-URL")).hasValue(page("/hello"));

        HttpResponse<byte[]> missing = post("/browser/content", Map.of("url", page("/missing")));
        assertThat(missing.statusCode()).as("a 404 page is still a page").isEqualTo(200);
        assertThat(missing.headers().firstValue("X-Response-Code")).hasValue("404");
    }

    @Test
    void aTracedPageGivesItsTraceConsoleAndNetworkToDownload() throws Exception {
        HttpResponse<byte[]> shot = post("/browser/screenshot", Map.of("url", page("/chatty"), "trace", true));

        assertThat(shot.statusCode())
                .as(new String(shot.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(shot.headers().firstValue("Content-Type")).hasValue("image/png");
        String job = shot.headers().firstValue("X-PaperPod-Job-Id").orElseThrow();
        String artifacts = "/v1/jobs/" + job + "/artifacts/";
        assertThat(shot.headers().firstValue("Link").orElseThrow())
                .contains(
                        "<" + artifacts + "trace.zip>; rel=\"artifact\"; title=\"trace.zip\"; type=\"application/zip\"")
                .contains("<" + artifacts + "console.log>")
                .contains("<" + artifacts + "network.har>");
        JsonNode listed = api.get("/v1/jobs/" + job + "/artifacts").json().path("artifacts");
        assertThat(listed.findValuesAsString("name")).containsExactly("console.log", "network.har", "trace.zip");

        HttpResponse<byte[]> trace = download(artifacts + "trace.zip", api.token());
        assertThat(trace.statusCode()).isEqualTo(200);
        assertThat(trace.headers().firstValue("Content-Type")).hasValue("application/zip");
        String sha256 = sha256(trace.body());
        assertThat(listed.get(2).path("sha256").asString()).isEqualTo(sha256);
        assertThat(listed.get(2).path("size").asLong()).isEqualTo(trace.body().length);
        assertThat(trace.headers().firstValue("ETag")).hasValue("\"" + sha256 + "\"");
        Map<String, byte[]> entries = unzip(trace.body());
        assertThat(entries).as("what Playwright's trace viewer opens").containsKeys("trace.trace", "trace.network");
        assertThat(new String(entries.get("trace.trace"), StandardCharsets.UTF_8))
                .as("the actions, with the page's address")
                .contains(page("/chatty"));

        String console =
                new String(download(artifacts + "console.log", api.token()).body(), StandardCharsets.UTF_8);
        assertThat(console)
                .contains(" log hello from the page (" + page("/chatty"))
                .contains(" warning careful")
                .contains(" pageerror ")
                .contains("thrown on purpose");
        JsonNode har = Wire.mapper()
                .readTree(download(artifacts + "network.har", api.token()).body());
        assertThat(har.path("log").path("entries").findValuesAsString("url")).contains(page("/chatty"));

        HttpResponse<byte[]> part = download(artifacts + "trace.zip", api.token(), "Range", "bytes=0-1");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(new String(part.body(), StandardCharsets.US_ASCII)).isEqualTo("PK");
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 0-1/" + trace.body().length);
        assertThat(download(artifacts + "trace.zip", api.token(), "If-None-Match", "\"" + sha256 + "\"")
                        .statusCode())
                .isEqualTo(304);
        assertThat(download(artifacts + "trace.zip", api.token(), "Range", "bytes=999999999-")
                        .statusCode())
                .isEqualTo(416);
        assertError(download(artifacts + "nothing.png", api.token()), 404, "ARTIFACT_NOT_FOUND");
        HttpResponse<byte[]> refused =
                post("/browser/content", Map.of("url", "http://169.254.169.254/latest/", "trace", true));
        assertError(refused, 403, "EGRESS_REFUSED");
        assertThat(refused.headers().firstValue("Link").orElseThrow())
                .as("a page that failed: its trace is the one worth reading")
                .contains("trace.zip");
        String refusedJob = refused.headers().firstValue("X-PaperPod-Job-Id").orElseThrow();
        assertThat(download("/v1/jobs/" + refusedJob + "/artifacts/trace.zip", api.token())
                        .statusCode())
                .isEqualTo(200);
        String other = "pp_other_" + java.util.UUID.randomUUID();
        stack.api().getBean(AccountTokens.class).register("other-" + other, "test", other);
        assertError(download(artifacts + "trace.zip", other), 404, "NOT_FOUND");
    }

    @Test
    void anAgentServesAPageInItsSandboxExposesItAndTheBrowserLoadsItsPreviewUrl() throws Exception {
        Api sandbox =
                api.withSandbox("brw-" + java.util.UUID.randomUUID().toString().substring(0, 8));
        assertThat(sandbox.post(
                                "/files/write",
                                Map.of(
                                        "path",
                                        "site/index.html",
                                        "content",
                                        "<h1 id=t>served</h1><script>document.getElementById('t').textContent +="
                                                + " ' by the sandbox'</script>"))
                        .status())
                .isEqualTo(200);
        assertThat(sandbox.post(
                                "/process/start",
                                Map.of(
                                        "name",
                                        "web",
                                        "command",
                                        "cd site && exec python -m http.server 8080 --bind 0.0.0.0"))
                        .status())
                .isEqualTo(200);
        JsonNode exposed = sandbox.post("/expose", Map.of("port", 8080)).json();
        String url = exposed.path("url").asString();
        assertThat(url).contains(".localhost:");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () -> post("/browser/content", Map.of("url", url))
                                .headers()
                                .firstValue("X-Response-Code")
                                .orElse(""),
                        "200"::equals);

        HttpResponse<byte[]> content = post("/browser/content", Map.of("url", url));
        assertThat(new String(content.body(), StandardCharsets.UTF_8)).contains("served by the sandbox");
        HttpResponse<byte[]> shot = post("/browser/screenshot", Map.of("url", url));
        assertThat(shot.statusCode()).isEqualTo(200);
        assertThat(ByteBuffer.wrap(shot.body()).getLong(0)).isEqualTo(0x89504E470D0A1A0AL);
        HttpResponse<byte[]> byPath =
                post("/browser/markdown", Map.of("url", exposed.path("pathUrl").asString()));
        assertThat(new String(byPath.body(), StandardCharsets.UTF_8).strip()).isEqualTo("# served by the sandbox");

        JsonNode secret =
                sandbox.post("/expose", Map.of("port", 8080, "private", true)).json();
        assertThat(post("/browser/content", Map.of("url", url)).headers().firstValue("X-Response-Code"))
                .as("a private preview, without its token")
                .hasValue("401");
        HttpResponse<byte[]> withToken = post(
                "/browser/content",
                Map.of("url", url + "?paperpod_token=" + secret.path("token").asString()));
        assertThat(withToken.headers().firstValue("X-Response-Code")).hasValue("200");
        assertThat(new String(withToken.body(), StandardCharsets.UTF_8)).contains("served by the sandbox");

        String api = "http://localhost:" + stack.apiPort();
        for (String own : List.of(api + "/health", api + "/v1/jobs", api + "/preview/not-a-sandbox/8080/")) {
            assertError(post("/browser/content", Map.of("url", own)), 403, "EGRESS_REFUSED");
        }
        HttpResponse<byte[]> unknown = post("/browser/content", Map.of("url", api + "/preview/sbx-000000000000/8080/"));
        assertThat(unknown.headers().firstValue("X-Response-Code"))
                .as("a preview that is none: the api's own answer, through the relay")
                .hasValue("404");
    }

    @Test
    void aPdfIsAPdf() throws Exception {
        HttpResponse<byte[]> pdf = post(
                "/browser/pdf", Map.of("html", "<p>printed</p>", "options", Map.of("format", "A4", "landscape", true)));

        assertThat(pdf.statusCode())
                .as(new String(pdf.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
        assertThat(new String(pdf.body(), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    }

    @Test
    void nothingOfOneJobIsSeenByTheNext() throws Exception {
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> visit = post("/browser/content", Map.of("url", page("/cookie")));
            assertThat(new String(visit.body(), StandardCharsets.UTF_8))
                    .as("visit %d: a fresh context, no cookie of the one before", i)
                    .contains("before:[]");
        }
    }

    @Test
    void aScrapeGivesEachSelectorsElementsAsRenderedWithAttributesAndBoxes() throws Exception {
        HttpResponse<byte[]> scrape = post(
                "/browser/scrape",
                Map.of(
                        "url",
                        page("/news"),
                        "elements",
                        List.of(
                                Map.of("selector", "h1"),
                                Map.of("selector", "li.item"),
                                Map.of("selector", "a[href]"))));

        assertThat(scrape.statusCode())
                .as(new String(scrape.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(scrape.headers().firstValue("X-Response-Code")).hasValue("200");
        JsonNode data = json(scrape).path("data");
        assertThat(data).hasSize(3);
        JsonNode heading = data.get(0);
        assertThat(heading.path("selector").asString()).isEqualTo("h1");
        JsonNode h1 = heading.path("results").get(0);
        assertThat(h1.path("text").asString()).isEqualTo("Release notes");
        assertThat(h1.path("attributes").get(0).path("name").asString()).isEqualTo("class");
        assertThat(h1.path("attributes").get(0).path("value").asString()).isEqualTo("title");
        assertThat(h1.path("width").asDouble()).as("a box as laid out").isPositive();
        assertThat(h1.path("height").asDouble()).isPositive();
        assertThat(data.get(1).path("results").findValuesAsString("text"))
                .as("the items the page's script added")
                .containsExactly("faster", "smaller");
        JsonNode link = data.get(2).path("results").get(0);
        assertThat(link.path("html").asString()).isEqualTo("the API");
        assertThat(link.path("top").asDouble())
                .as("below the list")
                .isGreaterThan(h1.path("top").asDouble());

        HttpResponse<byte[]> whole = post("/browser/scrape", Map.of("html", "<p>all of it</p>"));
        assertThat(json(whole).path("data").get(0).path("selector").asString())
                .as("no selectors: the body")
                .isEqualTo("body");
        assertThat(firstMatchText(whole)).isEqualTo("all of it");

        HttpResponse<byte[]> bad =
                post("/browser/scrape", Map.of("html", "<p>", "elements", List.of(Map.of("selector", "p[[["))));
        assertThat(bad.statusCode())
                .as(new String(bad.body(), StandardCharsets.UTF_8))
                .isEqualTo(400);
        assertThat(json(bad).path("error").path("field").asString()).isEqualTo("elements");
        assertThat(json(bad).path("error").path("message").asString()).contains("p[[[");
    }

    @Test
    void markdownIsThePageAsRenderedWithItsLinksMadeWhole() throws Exception {
        HttpResponse<byte[]> markdown = post("/browser/markdown", Map.of("url", page("/news")));

        assertThat(markdown.statusCode())
                .as(new String(markdown.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(markdown.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/markdown");
        assertThat(new String(markdown.body(), StandardCharsets.UTF_8))
                .contains("# Release notes")
                .contains("* faster")
                .contains("[the API](" + page("/docs/api") + ")")
                .doesNotContain("color: #123")
                .doesNotContain("createElement");
    }

    @Test
    void aTestRunsItsStepsAndTellsHowEachWent() throws Exception {
        HttpResponse<byte[]> run = post(
                "/browser/test",
                Map.of(
                        "steps",
                        List.of(
                                Map.of("action", "goto", "url", page("/login")),
                                Map.of("action", "fill", "selector", "#email", "value", "ada@example.com"),
                                Map.of("action", "click", "selector", "#go"),
                                Map.of("action", "expect", "selector", "#hello", "text", "Welcome ada@example.com"),
                                Map.of("action", "expect", "url", "/welcome"),
                                Map.of("action", "expect", "title", "Signed in"),
                                Map.of("action", "expect", "selector", "input", "count", 1),
                                Map.of("action", "screenshot"))));

        assertThat(run.statusCode())
                .as(new String(run.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        JsonNode report = json(run);
        assertThat(report.path("passed").asBoolean()).as(report.toString()).isTrue();
        assertThat(report.path("steps").findValuesAsString("status"))
                .containsOnly("PASSED")
                .hasSize(8);
        assertThat(report.path("steps").findValuesAsString("action"))
                .containsExactly("goto", "fill", "click", "expect", "expect", "expect", "expect", "screenshot");
        byte[] png = Base64.getDecoder()
                .decode(report.path("steps").get(7).path("screenshot").asString());
        assertThat(ByteBuffer.wrap(png).getLong(0)).as("the PNG signature").isEqualTo(0x89504E470D0A1A0AL);
    }

    @Test
    void theFirstStepThatFailsSaysWhyShowsThePageAndEndsTheRun() throws Exception {
        Map<String, Object> body = Map.of(
                "url",
                page("/login"),
                "steps",
                List.of(
                        Map.of("action", "expect", "selector", "#hello", "text", "Goodbye", "timeout", 500),
                        Map.of("action", "click", "selector", "#go")));

        HttpResponse<byte[]> run = post("/browser/test", body);

        assertThat(run.statusCode())
                .as("the test ran: its report, not an error")
                .isEqualTo(200);
        JsonNode report = json(run);
        assertThat(report.path("passed").asBoolean()).isFalse();
        JsonNode failed = report.path("steps").get(0);
        assertThat(failed.path("status").asString()).isEqualTo("FAILED");
        assertThat(failed.path("error").asString()).contains("Goodbye").doesNotContain("Call log");
        assertThat(failed.path("screenshot").asString())
                .as("the page as it was")
                .isNotEmpty();
        assertThat(report.path("steps").get(1).path("status").asString()).isEqualTo("SKIPPED");

        Map<String, Object> job = new java.util.HashMap<>(body);
        job.put("kind", "browser");
        job.put("operation", "test");
        Api.Response accepted = api.post("/v1/jobs", job);
        JsonNode view = api.get("/v1/jobs/" + accepted.text("id") + "?wait=60").json();
        assertThat(view.path("status").asString()).as(view.toString()).isEqualTo("FAILED");
        assertThat(view.path("result").path("verdict").asString()).isEqualTo("TEST_FAILED");

        HttpResponse<byte[]> refused = post(
                "/browser/test",
                Map.of("steps", List.of(Map.of("action", "goto", "url", "http://169.254.169.254/latest/"))));
        JsonNode goingNowhere = json(refused).path("steps").get(0);
        assertThat(goingNowhere.path("status").asString()).isEqualTo("FAILED");
        assertThat(goingNowhere.path("error").asString()).contains("169.254.169.254 is a private");
    }

    @Test
    void aSessionKeepsItsCookiesAndItsPageBetweenCallsUntilReleased() throws Exception {
        Api.Response acquired = api.post("/browser/acquire", Map.of("viewport", Map.of("width", 800, "height", 600)));
        assertThat(acquired.status()).as(acquired.toString()).isEqualTo(201);
        String session = acquired.text("sessionId");
        assertThat(session).startsWith("bss-");
        assertThat(acquired.json().path("idleTimeoutMs").asLong()).isEqualTo(300_000);

        HttpResponse<byte[]> first = post("/browser/content", Map.of("sessionId", session, "url", page("/cookie")));
        assertThat(new String(first.body(), StandardCharsets.UTF_8)).contains("before:[]");
        HttpResponse<byte[]> second = post("/browser/content", Map.of("sessionId", session, "url", page("/cookie")));
        assertThat(new String(second.body(), StandardCharsets.UTF_8))
                .as("the cookie the first call's page set")
                .contains("before:[visited=yes]");

        HttpResponse<byte[]> test = post(
                "/browser/test",
                Map.of(
                        "sessionId",
                        session,
                        "steps",
                        List.of(
                                Map.of("action", "goto", "url", page("/login")),
                                Map.of("action", "fill", "selector", "#email", "value", "kept@example.com"),
                                Map.of("action", "click", "selector", "#go"),
                                Map.of("action", "expect", "selector", "#hello", "text", "Welcome"))));
        assertThat(json(test).path("passed").asBoolean())
                .as(json(test).toString())
                .isTrue();
        HttpResponse<byte[]> asLeft = post(
                "/browser/scrape", Map.of("sessionId", session, "elements", List.of(Map.of("selector", "#hello"))));
        assertThat(firstMatchText(asLeft))
                .as("no url: the page as the last call left it")
                .isEqualTo("Welcome kept@example.com");
        HttpResponse<byte[]> shot = post("/browser/screenshot", Map.of("sessionId", session, "trace", true));
        assertThat(ByteBuffer.wrap(shot.body()).getInt(16))
                .as("the session's viewport")
                .isEqualTo(800);
        assertThat(shot.headers().firstValue("Link").orElseThrow())
                .as("a traced call of a session: its trace and console; the HAR is the context's, which lives on")
                .contains("trace.zip")
                .contains("console.log")
                .doesNotContain("network.har");

        assertThat(api.get("/browser/sessions").json().path("data").findValuesAsString("sessionId"))
                .contains(session);
        JsonNode limits = api.get("/browser/limits").json();
        assertThat(limits.path("maxSessions").asInt()).isEqualTo(3);
        assertThat(limits.path("openSessions").asInt()).isPositive();

        assertThat(api.get("/browser/sessions")
                        .json()
                        .path("data")
                        .get(0)
                        .path("seconds")
                        .asLong())
                .as("its time of use so far, in seconds begun")
                .isPositive();
        Api.Response released = api.delete("/browser/sessions/" + session);
        assertThat(released.status()).as(released.toString()).isEqualTo(200);
        assertThat(released.json().path("endedAt").asString()).isNotEmpty();
        assertThat(released.json().path("seconds").asLong())
                .as("from its browser's start to its release")
                .isPositive();
        HttpResponse<byte[]> after = post("/browser/content", Map.of("sessionId", session));
        assertError(after, 404, "SESSION_NOT_FOUND");
        assertThat(api.get("/browser/sessions").json().path("data").findValuesAsString("sessionId"))
                .doesNotContain(session);
    }

    @Test
    void theAccountsOwnPlaywrightDrivesASessionsBrowserThroughTheApi() throws Exception {
        Api.Response acquired = api.post("/browser/acquire", Map.of("idleTimeoutMs", 2_000));
        assertThat(acquired.status()).as(acquired.toString()).isEqualTo(201);
        String session = acquired.text("sessionId");
        String endpoint = base.replace("http://", "ws://") + "/browser/sessions/" + session + "/connect";
        try (Playwright playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")))) {
            Browser browser = playwright
                    .chromium()
                    .connect(
                            endpoint,
                            new BrowserType.ConnectOptions()
                                    .setHeaders(Map.of("Authorization", "Bearer " + api.token()))
                                    .setTimeout(30_000));
            Page mine = browser.newPage();
            mine.navigate(page("/hello"));
            mine.waitForSelector("#late:not(:empty)");
            assertThat(mine.textContent("#late")).isEqualTo("drawn by script");
            assertThat(mine.navigate("http://127.0.0.1:3000/").headerValue("x-paperpod-egress"))
                    .as("the same egress rules as every page")
                    .startsWith("refused");
            await().during(Duration.ofSeconds(5))
                    .atMost(Duration.ofSeconds(8))
                    .alias("connected past its 2 s idle timeout: in use, and listed so")
                    .until(() -> api.get("/browser/sessions")
                            .json()
                            .path("data")
                            .findValuesAsString("sessionId")
                            .contains(session));
            assertThat(mine.title()).as("its browser too").isNotNull();
            browser.close();
            await().atMost(Duration.ofSeconds(30))
                    .alias("once the client left, it idles out")
                    .until(() -> !api.get("/browser/sessions")
                            .json()
                            .path("data")
                            .findValuesAsString("sessionId")
                            .contains(session));
        } finally {
            api.delete("/browser/sessions/" + session);
        }
        Api.Response noBody = api.post("/browser/acquire", "");
        assertThat(noBody.status()).as("no body at all: " + noBody).isEqualTo(201);
        api.delete("/browser/sessions/" + noBody.text("sessionId"));

        HttpResponse<String> plain = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/browser/sessions/" + session + "/connect"))
                        .header("Authorization", "Bearer " + api.token())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(426);
        HttpResponse<String> anonymous = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/browser/sessions/" + session + "/connect"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void anAccountHoldsItsMostSessionsAndAnIdleOneEnds() {
        List<String> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Api.Response acquired = api.post("/browser/acquire", Map.of());
                assertThat(acquired.status()).as(acquired.toString()).isEqualTo(201);
                held.add(acquired.text("sessionId"));
            }
            Api.Response fourth = api.post("/browser/acquire", Map.of());
            assertThat(fourth.status()).as(fourth.toString()).isEqualTo(429);
            assertThat(fourth.json().path("error").path("code").asString()).isEqualTo("SESSION_LIMIT");

            assertThat(api.delete("/browser/sessions/" + held.remove(0)).status())
                    .isEqualTo(200);
            Api.Response idle = api.post("/browser/acquire", Map.of("idleTimeoutMs", 1_000));
            assertThat(idle.status()).as("room for one again: " + idle).isEqualTo(201);
            String idler = idle.text("sessionId");
            await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> api.get("/browser/sessions")
                                    .json()
                                    .path("data")
                                    .findValuesAsString("sessionId"),
                            open -> !open.contains(idler));
            Api.Response named = api.post("/browser/content", Map.of("sessionId", idler));
            assertThat(named.status()).as("idle past its second").isEqualTo(404);

            Api.Response wrongTimeout = api.post("/browser/acquire", Map.of("idleTimeoutMs", 5));
            assertThat(wrongTimeout.json().path("error").path("field").asString())
                    .isEqualTo("idleTimeoutMs");
            Api.Response inTheBackground = api.post(
                    "/v1/jobs",
                    Map.of("kind", "browser", "operation", "content", "html", "<p>", "sessionId", held.get(1)));
            assertThat(inTheBackground.json().path("error").path("field").asString())
                    .isEqualTo("sessionId");
        } finally {
            held.forEach(id -> api.delete("/browser/sessions/" + id));
        }
    }

    @Test
    void aBadSelectorToWaitForIsTheCallersError() throws Exception {
        HttpResponse<byte[]> bad =
                post("/browser/content", Map.of("html", "<p>", "waitForSelector", Map.of("selector", "p[[[")));

        assertThat(bad.statusCode())
                .as(new String(bad.body(), StandardCharsets.UTF_8))
                .isEqualTo(400);
        assertThat(json(bad).path("error").path("field").asString()).isEqualTo("waitForSelector.selector");
    }

    @Test
    void aPageThatCannotBeHadIsAClearErrorAndBestAttemptTakesItAsItIs() throws Exception {
        HttpResponse<byte[]> unresolved = post("/browser/content", Map.of("url", "http://no-such-host.invalid/"));
        JsonNode unresolvedError = assertError(unresolved, 502, "NAVIGATION_FAILED");
        assertThat(unresolvedError.path("message").asString()).contains("ERR_NAME_NOT_RESOLVED");

        Map<String, Object> waitsForNothing =
                Map.of("url", page("/hello"), "waitForSelector", Map.of("selector", "#never", "timeout", 500));
        HttpResponse<byte[]> timedOut = post("/browser/content", waitsForNothing);
        JsonNode timedOutError = assertError(timedOut, 504, "NAVIGATION_TIMEOUT");
        assertThat(timedOutError.path("hint").asString()).contains("bestAttempt");

        Map<String, Object> best = new java.util.HashMap<>(waitsForNothing);
        best.put("bestAttempt", true);
        HttpResponse<byte[]> asItIs = post("/browser/content", best);
        assertThat(asItIs.statusCode()).isEqualTo(200);
        assertThat(asItIs.headers().firstValue("X-PaperPod-Best-Attempt")).hasValue("true");
        assertThat(new String(asItIs.body(), StandardCharsets.UTF_8)).contains("id=\"late\"");
    }

    @Test
    void aPageMayNotReachPrivateLoopbackLinkLocalOrThisMachinesAddresses() throws Exception {
        String own = "http://" + ownAddress() + ":" + pages.getAddress().getPort() + "/canary";
        for (String url : List.of(
                own,
                "http://127.0.0.1:3000/",
                "http://localhost:3128/",
                "http://[::1]:3000/",
                "http://169.254.169.254/latest/meta-data/",
                "http://192.168.1.1/",
                "https://10.20.30.40/",
                page("/redirect?to=" + own))) {
            HttpResponse<byte[]> refused = post("/browser/content", Map.of("url", url));
            assertThat(refused.statusCode())
                    .as(url + ": " + new String(refused.body(), StandardCharsets.UTF_8))
                    .isEqualTo(403);
            assertThat(json(refused).path("error").path("code").asString()).isEqualTo("EGRESS_REFUSED");
            assertThat(json(refused).path("error").path("field").asString()).isEqualTo("url");
        }
        assertThat(canaryHits).as("nothing reached this machine's own address").hasValue(0);
    }

    @Test
    void aPagesOwnRequestsGoOutByTheSameRules() throws Exception {
        int before = canaryHits.get();

        HttpResponse<byte[]> fetched = post(
                "/browser/scrape",
                Map.of(
                        "url",
                        page("/fetches"),
                        "waitForSelector",
                        Map.of("selector", "#r:not(:empty)"),
                        "elements",
                        List.of(Map.of("selector", "#r"))));

        assertThat(fetched.statusCode())
                .as(new String(fetched.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(firstMatchText(fetched))
                .as("every fetch was answered (the refused ones by the egress proxy)")
                .isEqualTo("done 3");
        assertThat(canaryHits.get() - before)
                .as("the page's fetch of its own server arrived, the one of this machine's address did not")
                .isEqualTo(1);
    }

    @Test
    void aPageThatNeverSettlesTimesOutAndTheNextJobIsNormal() throws Exception {
        HttpResponse<byte[]> spinning =
                post("/browser/screenshot", Map.of("html", "<script>while (true) {}</script>", "timeoutMs", 3_000));
        assertError(spinning, 504, "NAVIGATION_TIMEOUT");

        assertTheNextJobIsNormal();
    }

    @Test
    void aResponseThatIsNoPageIsShownAsTheBrowserShowsItOrRefusedWhenItIsADownload() throws Exception {
        HttpResponse<byte[]> json = post("/browser/content", Map.of("url", page("/data.json")));
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(new String(json.body(), StandardCharsets.UTF_8)).contains("{\"answer\": 42}");

        HttpResponse<byte[]> download = post("/browser/screenshot", Map.of("url", page("/report.csv")));
        JsonNode downloadError = assertError(download, 502, "NAVIGATION_FAILED");
        assertThat(downloadError.path("message").asString()).contains("download");
    }

    @Test
    void aPageThatEatsAllMemoryBreaksItsRendererOnlyAndTheNextJobIsNormal() throws Exception {
        HttpResponse<byte[]> greedy = post(
                "/browser/screenshot",
                Map.of(
                        "html",
                        "<script>const hoard = []; while (true) { hoard.push(new Array(1e7).fill(Math.random())); }"
                                + "</script>",
                        "timeoutMs",
                        60_000));
        assertError(greedy, 502, "PAGE_ERROR");

        assertTheNextJobIsNormal();
    }

    private void assertTheNextJobIsNormal() throws Exception {
        HttpResponse<byte[]> next = post("/browser/content", Map.of("html", "<p>next</p>"));
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(new String(next.body(), StandardCharsets.UTF_8)).contains("<p>next</p>");
    }

    @Test
    void aScreenshotTooLargeToCarryIsRefusedWithAHint() throws Exception {
        String noise = "<body style='margin:0'><canvas id='c' width='1280' height='6000'></canvas><script>"
                + "const c = document.getElementById('c').getContext('2d');"
                + "const img = c.createImageData(1280, 6000);"
                + "for (let i = 0; i < img.data.length; i++) img.data[i] = (Math.random() * 256) | 0;"
                + "c.putImageData(img, 0, 0);</script></body>";

        HttpResponse<byte[]> huge =
                post("/browser/screenshot", Map.of("html", noise, "options", Map.of("fullPage", true)));

        JsonNode hugeError = assertError(huge, 422, "RESULT_TOO_LARGE");
        assertThat(hugeError.path("message").asString()).contains("JPEG");
    }

    @Test
    void badInputIsRefusedBeforeAnyBrowserIsTaken() throws Exception {
        HttpResponse<byte[]> file = post("/browser/screenshot", Map.of("url", "file:///etc/passwd"));
        assertThat(file.statusCode()).isEqualTo(400);
        assertThat(json(file).path("error").path("field").asString()).isEqualTo("url");

        HttpResponse<byte[]> both = post("/browser/pdf", Map.of("url", page("/hello"), "html", "<p>"));
        assertThat(json(both).path("error").path("field").asString()).isEqualTo("html");

        HttpResponse<byte[]> operation = post("/browser/pdf", Map.of("html", "<p>", "operation", "screenshot"));
        assertThat(json(operation).path("error").path("field").asString()).isEqualTo("operation");

        HttpResponse<byte[]> quality =
                post("/browser/screenshot", Map.of("html", "<p>", "options", Map.of("quality", 5)));
        assertThat(json(quality).path("error").path("field").asString()).isEqualTo("options.quality");
    }

    @Test
    void aBatchOfPagesToMarkdownIsABatchLikeAnyOther() {
        List<Map<String, Object>> inputs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            inputs.add(Map.of("html", "<h2>page " + i + "</h2>"));
        }
        Api.Response accepted = api.post(
                "/v1/batches",
                Map.of("template", Map.of("kind", "browser", "operation", "markdown"), "inputs", inputs));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);

        JsonNode batch = await().atMost(Duration.ofMinutes(3))
                .until(() -> api.get("/v1/batches/" + accepted.text("id")).json(), b -> b.has("completedAt"));
        assertThat(batch.path("counts").path("SUCCEEDED").asInt())
                .as(batch.toString())
                .isEqualTo(20);
        JsonNode jobs =
                api.get("/v1/jobs?batch=" + accepted.text("id") + "&limit=100").json();
        assertThat(jobs.path("data").findValuesAsString("text"))
                .hasSize(20)
                .allSatisfy(text -> assertThat(text).startsWith("## page "));
    }

    @Test
    void aBrowserJobRunsInTheBackgroundLikeAnyJob() throws Exception {
        Api.Response accepted = api.post(
                "/v1/jobs",
                Map.of(
                        "kind",
                        "browser",
                        "operation",
                        "screenshot",
                        "html",
                        "<p>later</p>",
                        "options",
                        Map.of("type", "jpeg", "quality", 60)));
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);

        JsonNode job = api.get("/v1/jobs/" + accepted.text("id") + "?wait=60").json();
        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode result = job.path("result");
        assertThat(result.path("type").asString()).isEqualTo("browser");
        assertThat(result.path("contentType").asString()).isEqualTo("image/jpeg");
        assertThat(result.has("data"))
                .as("a background job's file is an artifact, not in its result")
                .isFalse();
        JsonNode artifact = result.path("artifacts").get(0);
        assertThat(artifact.path("name").asString()).isEqualTo("screenshot.jpeg");
        assertThat(artifact.path("contentType").asString()).isEqualTo("image/jpeg");
        assertThat(Instant.parse(artifact.path("expiresAt").asString()))
                .isAfter(Instant.now().plus(Duration.ofHours(23)));
        HttpResponse<byte[]> file = download(artifact.path("url").asString(), api.token());
        assertThat(file.statusCode()).isEqualTo(200);
        byte[] jpeg = file.body();
        assertThat(jpeg[0] & 0xff).as("the JPEG signature").isEqualTo(0xFF);
        assertThat(jpeg[1] & 0xff).isEqualTo(0xD8);
        assertThat(sha256(jpeg)).isEqualTo(artifact.path("sha256").asString());

        // an artifact past its expiry is gone, whether or not the sweep has deleted it yet
        ArtifactStore store = stack.api().getBean(ArtifactStore.class);
        java.util.UUID jobId = java.util.UUID.fromString(accepted.text("id"));
        store.put(
                jobId,
                store.find(jobId, "screenshot.jpeg").orElseThrow().accountId(),
                "screenshot.jpeg",
                "image/jpeg",
                jpeg,
                Instant.now().minusSeconds(1));
        assertError(download(artifact.path("url").asString(), api.token()), 410, "ARTIFACT_EXPIRED");
        store.deleteExpired(Instant.now());
        assertError(download(artifact.path("url").asString(), api.token()), 410, "ARTIFACT_EXPIRED");
    }
}
