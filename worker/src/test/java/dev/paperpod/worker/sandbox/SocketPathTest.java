package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SocketPathTest {

    @Test
    void aSocketRootTooDeepForUnixSocketsIsRefusedWithTheLimitAndAFix() {
        Path deep = Path.of("/work/main/launcher/target/paperpod-chaos-11681206655185514776/sandboxes-chaos-w1");
        assertThatThrownBy(() -> PodmanSandboxRuntime.checkSocketPathLength(deep))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("107")
                .hasMessageContaining("/run/paperpod/sandboxes");
    }

    @Test
    void theDefaultRootFits() {
        assertThatCode(() -> PodmanSandboxRuntime.checkSocketPathLength(Path.of("/run/paperpod/sandboxes")))
                .doesNotThrowAnyException();
    }
}
