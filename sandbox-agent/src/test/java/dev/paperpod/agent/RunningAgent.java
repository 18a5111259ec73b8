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
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An agent served on the host for each test, from a fresh directory whose {@code workspace} is its working
 * directory: the Java agent in this JVM ({@link #java()}) or the Go binary as a process of its own
 * ({@link #nativeAgent()}). {@code @RegisterExtension final RunningAgent agent = RunningAgent.java();}
 */
final class RunningAgent implements BeforeEachCallback, AfterEachCallback {

    Path dir;
    Path workspace;
    AgentClient client;
    private final boolean nativeAgent;
    private @Nullable SandboxAgent agent;
    private @Nullable Process process;

    private RunningAgent(boolean nativeAgent) {
        this.nativeAgent = nativeAgent;
    }

    static RunningAgent java() {
        return new RunningAgent(false);
    }

    static RunningAgent nativeAgent() {
        return new RunningAgent(true);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("paperpod-agent-test-");
        workspace = Files.createDirectories(dir.resolve("workspace"));
        Path socket = dir.resolve("run/agent.sock");
        client = new AgentClient(socket);
        if (nativeAgent) {
            startNative(socket);
            return;
        }
        SandboxAgent served = new SandboxAgent(
                socket,
                new AgentSettings(
                        dir.resolve("scratch"),
                        workspace,
                        true,
                        200,
                        List.of(workspace, dir.resolve("scratch")),
                        false));
        agent = served;
        Thread serving = new Thread(() -> {
            try {
                served.serve();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        serving.setDaemon(true);
        serving.start();
    }

    private void startNative(Path socket) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(nativeBinary().toString(), socket.toString())
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

    /**
     * The Go agent this build made. Skips the test on a machine without a Go toolchain (the Java agent's tests
     * still run), and fails it where Go is installed but the build made no binary.
     */
    static Path nativeBinary() {
        URL binary = NativeAgent.binary();
        if (binary == null) {
            Assumptions.assumeTrue(
                    Files.isExecutable(Path.of("/usr/bin/go")), "no Go toolchain here: the Go agent was not built");
        }
        assertThat(binary).as("the Go agent built by the native-agent profile").isNotNull();
        try {
            return Path.of(binary.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The agent's process: this JVM for the Java agent. */
    long pid() {
        return process == null ? ProcessHandle.current().pid() : process.pid();
    }

    /** Threads the agent made so far: those of its process, or those its Java helpers started. */
    int threadsMade() throws IOException {
        if (process == null) {
            return Helpers.created();
        }
        return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
                .filter(line -> line.startsWith("Threads:"))
                .map(line ->
                        Integer.parseInt(line.substring("Threads:".length()).trim()))
                .findFirst()
                .orElseThrow();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (agent != null) {
            agent.close();
        }
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Trees.delete(dir);
    }
}
