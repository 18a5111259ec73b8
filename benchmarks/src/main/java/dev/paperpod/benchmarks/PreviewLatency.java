package dev.paperpod.benchmarks;

import dev.paperpod.schemas.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;

/**
 * A preview URL against the same server reached directly, in the same run: {@code python -m http.server} in an
 * account's sandbox, a small GET through the preview (api → the worker's tunnel → the agent → the port) beside a GET
 * of the sandbox's own address on its Podman network, interleaved; then a 64 MiB download both ways, in MB/s.
 */
final class PreviewLatency {

    private static final String SANDBOX = "bench-preview";
    private static final int BIG_MB = 64;
    private static final int WARM_UP = 50;
    private static final int DOWNLOADS = 3;

    private PreviewLatency() {}

    /**
     * @param proxied the small GET through the preview URL
     * @param direct the same GET of the sandbox's own address
     * @param summary the ratios and the MB/s, as lines for the report
     */
    record Result(Samples proxied, Samples direct, String summary) {}

    static Result measure(String baseUrl, String token, int count) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Api api = new Api(http, baseUrl, token);
        api.post("/files/write", "{\"path\":\"site/small.html\",\"content\":\"<h1>hello from the sandbox</h1>\"}");
        api.post(
                "/execute",
                "{\"language\":\"shell\",\"code\":\"head -c " + BIG_MB + "M /dev/urandom > site/big.bin\"}");
        String started = api.post(
                "/process/start",
                "{\"name\":\"bench-web\",\"command\":\"cd site && exec python -m http.server 8080 --bind 0.0.0.0\"}");
        String exposed = api.post("/expose", "{\"port\":8080}");
        String preview = field(exposed, "pathUrl");
        String sandboxId = field(exposed, "sandboxId");
        String address = containerAddress(sandboxId);
        if (address.isEmpty()) {
            throw new IllegalStateException(
                    "sandbox " + sandboxId + " has no address of its own (network none?); " + started);
        }
        String direct = "http://" + address + ":8080/";
        awaitUp(http, preview + "small.html");

        Samples viaPreview = new Samples("preview URL: small GET (api → tunnel → agent)");
        Samples viaDirect = new Samples("baseline: the same GET, sandbox's own address");
        HttpRequest small =
                HttpRequest.newBuilder(URI.create(preview + "small.html")).build();
        HttpRequest smallDirect =
                HttpRequest.newBuilder(URI.create(direct + "small.html")).build();
        for (int i = -WARM_UP; i < count; i++) {
            long p = get(http, small);
            long d = get(http, smallDirect);
            if (i >= 0) {
                viaPreview.add(p);
                viaDirect.add(d);
            }
        }
        double previewMbs = 0;
        double directMbs = 0;
        for (int i = 0; i < DOWNLOADS; i++) {
            previewMbs = Math.max(previewMbs, download(http, preview + "big.bin"));
            directMbs = Math.max(directMbs, download(http, direct + "big.bin"));
        }
        String summary = String.format(
                Locale.ROOT,
                "ratio preview URL / direct, small GET, p50: %.2f, p99: %.2f%n"
                        + "%d MiB download, best of %d: preview URL %.0f MB/s, direct %.0f MB/s (ratio %.2f)%n",
                viaPreview.p50() / viaDirect.p50(),
                viaPreview.p99() / viaDirect.p99(),
                BIG_MB,
                DOWNLOADS,
                previewMbs,
                directMbs,
                previewMbs / directMbs);
        return new Result(viaPreview, viaDirect, summary);
    }

    private static long get(HttpClient http, HttpRequest request) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        long took = System.nanoTime() - start;
        if (response.statusCode() != 200 || !response.body().contains("hello from the sandbox")) {
            throw new IllegalStateException(
                    request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return took;
    }

    /** MB/s (10^6 bytes) of one whole download. */
    private static double download(HttpClient http, String url) throws Exception {
        long start = System.nanoTime();
        HttpResponse<InputStream> response =
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
        long bytes = 0;
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = body.read(buffer)) > 0; ) {
                bytes += n;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (response.statusCode() != 200 || bytes != BIG_MB * 1024L * 1024L) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + " with " + bytes + " bytes");
        }
        return bytes / 1e6 / seconds;
    }

    private static void awaitUp(HttpClient http, String url) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            HttpResponse<String> r =
                    http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(url + " still answers " + r.statusCode() + ": " + r.body());
            }
            Thread.sleep(100);
        }
    }

    /** The sandbox container's address on its Podman network, as {@code podman inspect} tells. */
    private static String containerAddress(String sandboxId) throws IOException, InterruptedException {
        return Benchmarks.run(Benchmarks.podman(
                        "inspect",
                        "-f",
                        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                        "paperpod-" + sandboxId))
                .trim();
    }

    private static String field(String json, String name) {
        return Wire.mapper().readTree(json).path(name).asString();
    }

    /** The few api calls that set the server up. */
    private record Api(HttpClient http, String baseUrl, String token) {
        String post(String path, String body) throws Exception {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl + path))
                            .header("Authorization", "Bearer " + token)
                            .header("X-PaperPod-Sandbox", SANDBOX)
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        }
    }
}
