package dev.paperpod.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ppod exec 'echo hi'} from a shell, its whole wall time (the JVM's start included), beside {@code curl} of
 * the same request in the same run: what a user's script pays per command. ppod runs as {@code ./paperpod cli}
 * installs it, with its class-data archive made by the first, unmeasured, runs.
 */
final class CliLatency {

    private static final int WARM_UP = 3;

    private CliLatency() {}

    /** The two measurements, or none when the cli module is not built ({@code cli/target}). */
    static List<Samples> measure(String baseUrl, String token, int count) throws Exception {
        Path target = Path.of("cli", "target");
        Path jar;
        try (var files = Files.list(target)) {
            jar = files.filter(p -> p.getFileName().toString().matches("paperpod-cli-.*\\.jar"))
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            jar = null;
        }
        if (jar == null) {
            return List.of();
        }
        Path archive = Files.createTempDirectory("ppod-cds-").resolve("ppod.jsa");
        List<String> ppod = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xss512k",
                "-Xlog:disable",
                "-Xlog:all=error:stderr"));
        if (Runtime.version().feature() >= 19) {
            ppod.addAll(List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive));
        }
        ppod.addAll(List.of(
                "-cp",
                jar.toAbsolutePath() + ":" + target.toAbsolutePath().resolve("lib") + "/*",
                "dev.paperpod.cli.Ppod",
                "exec",
                "echo hi"));
        List<String> curl = List.of(
                "curl",
                "-sf",
                baseUrl + "/execute",
                "-H",
                "Authorization: Bearer " + token,
                "-d",
                "{\"language\":\"shell\",\"code\":\"echo hi\"}");
        Map<String, String> env = Map.of("PAPERPOD_URL", baseUrl, "PAPERPOD_TOKEN", token);
        Samples ppodSamples = new Samples("`ppod exec 'echo hi'`, whole process");
        Samples curlSamples = new Samples("baseline: `curl` of the same /execute");
        for (int i = -WARM_UP; i < count; i++) {
            long p = time(ppod, env, "hi\n");
            long c = time(curl, Map.of(), "\"stdout\":\"hi\\n\"");
            if (i >= 0) {
                ppodSamples.add(p);
                curlSamples.add(c);
            }
        }
        return List.of(ppodSamples, curlSamples);
    }

    private static long time(List<String> command, Map<String, String> env, String expected) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        long took = System.nanoTime() - start;
        if (exit != 0 || !out.contains(expected)) {
            throw new IllegalStateException(command.get(0) + " answered " + exit + ": " + out);
        }
        return took;
    }
}
