package dev.paperpod.benchmarks;

import dev.paperpod.embedded.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What a user meets: {@code ./paperpod up}'s process, started fresh, measured from outside over HTTP only, the moment
 * it says it is up. Its start-up time (launch → "Health: UP"), then sync exec of {@code echo hi} (20 unmeasured, then
 * {@code count}), then async trivial jobs in batches of 100 and one per request, sustained. Because it speaks HTTP
 * alone it measures any build's launcher, given its class path: {@code FirstMinute <class path> [count]} (the
 * default, this build's) {@code [count] [rounds]}: with more rounds than one the same workload runs again, so the
 * first minute shows beside a later one in the same harness. Two builds are measured by the same harness.
 */
public final class FirstMinute {

    private static final String JOB = "{\"language\":\"shell\",\"code\":\"echo hi\"}";

    private FirstMinute() {}

    public static void main(String[] args) throws Exception {
        String classPath = args.length > 0 && !args[0].isBlank() ? args[0] : System.getProperty("java.class.path");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        System.out.println(measure(classPath, count, rounds));
        System.exit(0);
    }

    /** Starts a launcher on {@code classPath}, measures it {@code rounds} times, stops it; answers the report. */
    static String measure(String classPath, int count, int rounds) throws Exception {
        Path home = Files.createTempDirectory("paperpod-first-minute-");
        int port = Ports.free();
        Path out = home.resolve("launcher.out");
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        String options = System.getenv("PAPERPOD_JAVA_OPTS");
        if (options != null && !options.isBlank()) {
            command.addAll(List.of(options.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", classPath, "dev.paperpod.launcher.PaperPod"));
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("PAPERPOD_HOME", home.toString());
        builder.environment().put("PAPERPOD_PORT", Integer.toString(port));
        builder.environment().put("PAPERPOD_SANDBOX_IMAGE", "localhost/paperpod/test");
        builder.environment().remove("PAPERPOD_DEV_TOKEN");
        long launched = System.nanoTime();
        Process launcher = builder.start();
        try {
            while (!Files.readString(out).contains("Health: UP")) {
                if (!launcher.isAlive() || System.nanoTime() - launched > TimeUnit.MINUTES.toNanos(5)) {
                    throw new IllegalStateException("the launcher did not come up:\n" + Files.readString(out));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            double startSeconds = (System.nanoTime() - launched) / 1e9;
            String base = "http://localhost:" + port;
            String token = Files.readString(home.resolve("dev-token")).trim();
            String build = classPath.length() > 60 ? "…" + classPath.substring(classPath.length() - 60) : classPath;
            StringBuilder report =
                    new StringBuilder(String.format(Locale.ROOT, "%s: up in %.1f s%n", build, startSeconds));
            for (int round = 0; round < rounds; round++) {
                long measuring = System.nanoTime();
                Samples exec = syncExec(base, token, count);
                String batches = async(base, token, 1000, 100);
                String single = async(base, token, 1000, 1);
                report.append(String.format(
                        Locale.ROOT,
                        "  %s: sync exec `echo hi` n=%d p50 %.2f ms, p99 %.2f ms, max %.2f ms; %s; %s (%.0f s)%n",
                        round == 0 ? "right after up" : "round " + (round + 1),
                        exec.count(),
                        exec.p50(),
                        exec.p99(),
                        exec.percentile(100),
                        batches,
                        single,
                        (System.nanoTime() - measuring) / 1e9));
            }
            return report.toString();
        } finally {
            launcher.destroy();
            if (!launcher.waitFor(90, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
            }
        }
    }

    /** Closed loop, one request at a time, on one keep-alive connection. */
    private static Samples syncExec(String base, String token, int count) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/execute"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(JOB))
                .build();
        Samples samples = new Samples("sync exec right after up");
        for (int i = -20; i < count; i++) {
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - start;
            if (response.statusCode() != 200 || !response.body().contains("\"stdout\":\"hi\\n\"")) {
                throw new IllegalStateException("unexpected answer: " + response.statusCode() + " " + response.body());
            }
            if (i >= 0) {
                samples.add(took);
            }
        }
        return samples;
    }

    /**
     * {@code count} trivial jobs submitted by 16 concurrent clients, {@code perRequest} per request, then waited for
     * through the API (no unfinished job of the account left): jobs per second from the first submission to the end.
     */
    private static String async(String base, String token, int count, int perRequest) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        boolean batches = perRequest > 1;
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + (batches ? "/v1/batches" : "/v1/jobs")))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(
                        batches ? "{\"jobs\":[" + String.join(",", Collections.nCopies(perRequest, JOB)) + "]}" : JOB))
                .build();
        Semaphore inFlight = new Semaphore(16);
        AtomicInteger accepted = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < count; i += perRequest) {
            inFlight.acquire();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, e) -> {
                inFlight.release();
                if (e == null && response.statusCode() == 202) {
                    accepted.addAndGet(perRequest);
                }
            });
        }
        inFlight.acquire(16);
        HttpRequest unfinished = HttpRequest.newBuilder(
                        URI.create(base + "/v1/jobs?status=QUEUED,RUNNING,RETRYING&limit=1"))
                .header("Authorization", "Bearer " + token)
                .build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline
                && !http.send(unfinished, HttpResponse.BodyHandlers.ofString())
                        .body()
                        .contains("\"data\":[]")) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return String.format(
                Locale.ROOT,
                "async %s: %d accepted, all ended in %.1f s = %.1f jobs/s",
                batches ? "in batches of " + perRequest : "one per request",
                accepted.get(),
                seconds,
                accepted.get() / seconds);
    }
}
