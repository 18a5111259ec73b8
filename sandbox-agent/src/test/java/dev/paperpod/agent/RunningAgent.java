package dev.paperpod.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.agent.client.AgentClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Go agent this build made, served on the host for each test as a process of its own, from a fresh directory
 * whose {@code workspace} is its working directory. {@code @RegisterExtension final RunningAgent agent =
 * RunningAgent.start();}
 */
final class RunningAgent implements BeforeEachCallback, AfterEachCallback {

    Path dir;
    Path workspace;
    AgentClient client;
    private @Nullable Process process;

    private RunningAgent() {}

    static RunningAgent start() {
        return new RunningAgent();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("paperpod-agent-test-");
        workspace = Files.createDirectories(dir.resolve("workspace"));
        Path socket = dir.resolve("run/agent.sock");
        client = new AgentClient(socket);
        ProcessBuilder builder = new ProcessBuilder(binary().toString(), socket.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment()
                .putAll(Map.of(
                        "PAPERPOD_AGENT_CWD",
                        workspace.toString(),
                        "PAPERPOD_AGENT_SCRATCH",
                        dir.resolve("scratch").toString(),
                        "PAPERPOD_AGENT_RESET_DIRS",
                        workspace + ":" + dir.resolve("scratch"),
                        "PAPERPOD_AGENT_OWNS_PID_NAMESPACE",
                        "false"));
        process = builder.start();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            client.ping(Duration.ofSeconds(1));
            return true;
        });
    }

    /** The Go agent this build made; the build fails without Go, so a missing binary fails the test. */
    static Path binary() {
        URL binary = NativeAgent.binary();
        assertThat(binary).as("the Go agent this module's build makes").isNotNull();
        try {
            return Path.of(binary.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Threads of the agent's process now. */
    int threads() throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
                .filter(line -> line.startsWith("Threads:"))
                .map(line ->
                        Integer.parseInt(line.substring("Threads:".length()).trim()))
                .findFirst()
                .orElseThrow();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
