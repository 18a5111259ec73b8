package dev.paperpod.agent;

import dev.paperpod.agent.client.AgentClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An agent served on the host for each test, from a fresh directory whose {@code workspace} is its working
 * directory: {@code @RegisterExtension final RunningAgent agent = new RunningAgent();}
 */
final class RunningAgent implements BeforeEachCallback, AfterEachCallback {

    Path dir;
    Path workspace;
    AgentClient client;
    private SandboxAgent agent;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("paperpod-agent-test-");
        workspace = Files.createDirectories(dir.resolve("workspace"));
        Path socket = dir.resolve("run/agent.sock");
        agent = new SandboxAgent(
                socket,
                new AgentSettings(
                        dir.resolve("scratch"),
                        workspace,
                        true,
                        200,
                        List.of(workspace, dir.resolve("scratch")),
                        false));
        Thread serving = new Thread(() -> {
            try {
                agent.serve();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        serving.setDaemon(true);
        serving.start();
        client = new AgentClient(socket);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        agent.close();
        Trees.delete(dir);
    }
}
