package dev.paperpod.agent;

import dev.paperpod.agent.client.AgentClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An agent served on the host from a test's directory: its working directory is {@code <dir>/workspace}. */
final class RunningAgent implements AutoCloseable {

    final Path dir;
    final Path workspace;
    final AgentClient client;
    private final SandboxAgent agent;

    RunningAgent(Path dir) throws IOException {
        this.dir = dir;
        this.workspace = Files.createDirectories(dir.resolve("workspace"));
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
    public void close() throws IOException {
        agent.close();
    }
}
