package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.embedded.Ports;
import dev.paperpod.launcher.support.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./paperpod up} as a user runs it: a separate process that prints its URL and token when healthy, serves
 * the README's request, and on SIGTERM (what Ctrl-C leads to) stops everything it started and removes its
 * sandboxes; killed with SIGKILL, it comes back by itself on the same data when started again.
 */
class LauncherProcessIT {

    @TempDir
    Path home;

    @Test
    void startsHealthyServesARequestAndStopsEverythingOnSigterm() throws Exception {
        int port = Ports.free();
        Path log = home.resolve("launcher.out");
        Process launcher = launch(port, log);
        try {
            awaitUp(launcher, log);
            String token = Files.readString(home.resolve("dev-token")).trim();
            assertThat(output(log)).contains("http://localhost:" + port).contains(token);

            Api.Response response = new Api("http://localhost:" + port, token)
                    .post("/execute", "{\"language\":\"python\",\"code\":\"print(6*7)\"}");
            assertThat(response.status()).as(response.toString()).isEqualTo(200);
            assertThat(response.text("stdout")).isEqualTo("42\n");

            long kafka = Long.parseLong(
                    Files.readString(home.resolve("kafka/kafka.pid")).trim());
            long postgres = Long.parseLong(Files.readAllLines(home.resolve("postgres/postmaster.pid"))
                    .get(0)
                    .trim());
            List<String> sandboxes = sandboxDirectories();
            assertThat(sandboxes).isNotEmpty();

            launcher.destroy(); // SIGTERM
            assertThat(launcher.waitFor(90, TimeUnit.SECONDS))
                    .as("stopped within 90 s")
                    .isTrue();

            assertThat(ProcessHandle.of(kafka).filter(ProcessHandle::isAlive))
                    .as("Kafka")
                    .isEmpty();
            assertThat(ProcessHandle.of(postgres).filter(ProcessHandle::isAlive))
                    .as("PostgreSQL")
                    .isEmpty();
            assertThat(sandboxDirectories()).as("sandboxes left behind").isEmpty();
            assertThat(containersOf(sandboxes)).as("containers left behind").isEmpty();
        } finally {
            launcher.destroyForcibly();
        }
    }

    @Test
    void aLauncherKilledWithSigkillComesBackByItselfOnTheSameDataWithNothingLost() throws Exception {
        int port = Ports.free();
        Path firstLog = home.resolve("first.out");
        Process first = launch(port, firstLog);
        String job;
        List<String> deadRunsSandboxes;
        long kafka;
        try {
            awaitUp(first, firstLog);
            Api api = new Api(
                    "http://localhost:" + port,
                    Files.readString(home.resolve("dev-token")).trim());
            job = api.post("/v1/jobs", "{\"language\":\"shell\",\"code\":\"echo kept\"}")
                    .text("id");
            assertThat(api.get("/v1/jobs/" + job + "?wait=60").text("status")).isEqualTo("SUCCEEDED");
            deadRunsSandboxes = sandboxDirectories();
            kafka = Long.parseLong(
                    Files.readString(home.resolve("kafka/kafka.pid")).trim());
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook runs, its children are orphaned
            first.waitFor(30, TimeUnit.SECONDS);
        }

        Path secondLog = home.resolve("second.out");
        Process second = launch(port, secondLog);
        try {
            awaitUp(second, secondLog);
            assertThat(ProcessHandle.of(kafka).filter(ProcessHandle::isAlive))
                    .as("the dead run's Kafka")
                    .isEmpty();
            Api api = new Api(
                    "http://localhost:" + port,
                    Files.readString(home.resolve("dev-token")).trim());
            Api.Response kept = api.get("/v1/jobs/" + job);
            assertThat(kept.text("status")).as(kept.toString()).isEqualTo("SUCCEEDED");
            assertThat(kept.json().path("result").path("stdout").asString()).isEqualTo("kept\n");
            Api.Response again = api.post("/execute", "{\"language\":\"shell\",\"code\":\"echo again\"}");
            assertThat(again.text("stdout")).as(again.toString()).isEqualTo("again\n");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> containersOf(deadRunsSandboxes).isEmpty());
        } finally {
            second.destroy();
            if (!second.waitFor(90, TimeUnit.SECONDS)) {
                second.destroyForcibly();
            }
        }
    }

    /** {@code ./paperpod up} as a process of its own, on {@code home}. */
    private Process launch(int port, Path log) throws java.io.IOException {
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        PaperPod.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment()
                .putAll(Map.of(
                        "PAPERPOD_HOME",
                        home.toString(),
                        "PAPERPOD_PORT",
                        Integer.toString(port),
                        "PAPERPOD_SANDBOX_IMAGE",
                        "localhost/paperpod/test")); // the fast suite never needs the full image
        builder.environment().remove("PAPERPOD_DEV_TOKEN");
        return builder.start();
    }

    private static void awaitUp(Process launcher, Path log) {
        await().atMost(Duration.ofMinutes(3)).until(() -> output(log).contains("Health: UP") || !launcher.isAlive());
        assertThat(launcher.isAlive()).as(output(log)).isTrue();
    }

    private List<String> sandboxDirectories() throws Exception {
        Path root = home.resolve("sandboxes");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (var dirs = Files.list(root)) {
            return dirs.map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith("sbx-")) // not the installed agent, .agent
                    .toList();
        }
    }

    private static List<String> containersOf(List<String> sandboxes) throws Exception {
        Process ps = new ProcessBuilder("podman", "ps", "-a", "--format", "{{.Names}}")
                .redirectErrorStream(true)
                .start();
        String names = new String(ps.getInputStream().readAllBytes());
        ps.waitFor();
        return sandboxes.stream().filter(id -> names.contains("paperpod-" + id)).toList();
    }

    private static String output(Path log) {
        try {
            return Files.readString(log);
        } catch (Exception e) {
            return Optional.ofNullable(e.getMessage()).orElse("");
        }
    }
}
