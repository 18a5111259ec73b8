package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentPathTest {

    @Test
    void aConfiguredAgentIsTheGoBinaryUnlessItIsTheJavaAgentsJarOrClasses(@TempDir Path dir) throws IOException {
        Path binary = Files.writeString(dir.resolve("paperpod-agent"), "");
        Path jar = Files.writeString(dir.resolve("paperpod-sandbox-agent-0.1.0.jar"), "");
        Path classes = Files.createDirectories(dir.resolve("classes"));

        assertThat(PodmanSandboxRuntime.isNativeAgent(binary)).isTrue();
        assertThat(PodmanSandboxRuntime.isNativeAgent(jar)).isFalse();
        assertThat(PodmanSandboxRuntime.isNativeAgent(classes)).isFalse();
    }
}
