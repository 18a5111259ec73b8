package dev.paperpod.benchmarks;

import dev.paperpod.schemas.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Files into and out of an account's sandbox: {@code PUT} and {@code GET /files/content} (api → the worker's tunnel
 * listener → the agent) beside {@code podman exec -i … cat} of the same file into and out of the same container, taking turns,
 * 1 MB and 100 MB, in MB/s (10^6 bytes a second; the median of the rounds).
 */
final class FileTransfer {

    private static final String SANDBOX = "bench-files";

    private FileTransfer() {}

    /** The report's lines. */
    static String measure(String baseUrl, String token, int smallRounds, int largeRounds) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Path dir = Files.createTempDirectory("paperpod-bench-files-");
        StringBuilder out =
                new StringBuilder("\nFiles in and out of the account's sandbox, MB/s (median of the rounds):\n\n");
        out.append(
                "| size | rounds | PUT /files/content | podman exec cat in | ratio | GET /files/content | podman exec cat out | ratio |\n");
        out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (long size : new long[] {1_000_000L, 100_000_000L}) {
            int rounds = size < 10_000_000L ? smallRounds : largeRounds;
            Path local = dir.resolve("in-" + size);
            byte[] chunk = new byte[1 << 20];
            new Random(size).nextBytes(chunk);
            try (var w = Files.newOutputStream(local)) {
                for (long left = size; left > 0; left -= chunk.length) {
                    w.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
            List<Double> put = new ArrayList<>();
            List<Double> get = new ArrayList<>();
            List<Double> cpIn = new ArrayList<>();
            List<Double> cpOut = new ArrayList<>();
            String sandboxId = null;
            for (int i = -1; i < rounds; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> p = http.send(
                        request(baseUrl, token, "f-" + size)
                                .PUT(HttpRequest.BodyPublishers.ofFile(local))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                long t1 = System.nanoTime();
                if (p.statusCode() != 200) {
                    throw new IllegalStateException("PUT answered " + p.statusCode() + ": " + p.body());
                }
                sandboxId = Wire.mapper().readTree(p.body()).path("sandboxId").asString();
                HttpResponse<InputStream> g = http.send(
                        request(baseUrl, token, "f-" + size).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                long read = drain(g.body());
                long t2 = System.nanoTime();
                if (read != size) {
                    throw new IllegalStateException("GET answered " + read + " bytes of " + size);
                }
                String container = "paperpod-" + sandboxId;
                podmanExec(local, null, container, "cat > /workspace/cp-" + size);
                long t3 = System.nanoTime();
                Path back = dir.resolve("out-" + size);
                podmanExec(null, back, container, "cat /workspace/cp-" + size);
                long t4 = System.nanoTime();
                if (Files.size(back) != size) {
                    throw new IllegalStateException("podman exec cat brought back " + Files.size(back) + " bytes");
                }
                if (i >= 0) {
                    put.add(rate(size, t1 - t0));
                    get.add(rate(size, t2 - t1));
                    cpIn.add(rate(size, t3 - t2));
                    cpOut.add(rate(size, t4 - t3));
                }
            }
            double putM = median(put);
            double getM = median(get);
            double inM = median(cpIn);
            double outM = median(cpOut);
            out.append(String.format(
                    Locale.ROOT,
                    "| %d MB | %d | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |%n",
                    size / 1_000_000,
                    rounds,
                    putM,
                    inM,
                    putM / inM,
                    getM,
                    outM,
                    getM / outM));
        }
        return out.toString();
    }

    private static HttpRequest.Builder request(String baseUrl, String token, String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + "/files/content?path=" + path))
                .header("Authorization", "Bearer " + token)
                .header("X-PaperPod-Sandbox", SANDBOX);
    }

    private static long drain(InputStream in) throws IOException {
        long n = 0;
        byte[] buffer = new byte[1 << 16];
        try (in) {
            for (int r; (r = in.read(buffer)) > 0; ) {
                n += r;
            }
        }
        return n;
    }

    private static double rate(long bytes, long nanos) {
        return bytes / 1e6 / (nanos / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    /**
     * {@code podman exec -i <container> sh -c <command>} with standard input from {@code in} and output to {@code out}.
     * ({@code podman cp} cannot write into a sandbox: its root is another uid (user namespace), and the copier's
     * file of host uid 0 fails with EOVERFLOW.)
     */
    private static void podmanExec(Path in, Path out, String container, String command)
            throws IOException, InterruptedException {
        List<String> line = Benchmarks.podman("exec", "-i", container, "sh", "-c", command);
        ProcessBuilder builder = new ProcessBuilder(line);
        builder.redirectInput(
                in == null
                        ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                        : ProcessBuilder.Redirect.from(in.toFile()));
        builder.redirectOutput(
                out == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(out.toFile()));
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = builder.start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", line) + " failed");
        }
    }
}
