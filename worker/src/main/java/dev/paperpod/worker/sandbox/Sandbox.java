package dev.paperpod.worker.sandbox;

import dev.paperpod.agent.client.AgentClient;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A running sandbox container and the agent inside it.
 *
 * @param id PaperPod's name for it, e.g. {@code sbx-1f3a…}
 * @param containerId the container runtime's id
 * @param socketDir the host directory bind-mounted into the container, holding the agent's socket
 * @param createdAt when the container was created
 */
public record Sandbox(String id, String containerId, Path socketDir, Instant createdAt) {

    public static final String SOCKET_NAME = "agent.sock";

    public AgentClient agent() {
        return new AgentClient(socketDir.resolve(SOCKET_NAME));
    }
}
