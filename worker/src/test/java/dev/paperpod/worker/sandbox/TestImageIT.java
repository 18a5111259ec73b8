package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The image the fast tests run sandboxes in, started with Testcontainers against Podman's Docker-compatible
 * socket: every runtime the worker relies on is there.
 */
@Testcontainers
class TestImageIT {

    static {
        Podman.dockerHost(); // Testcontainers finds the service through DOCKER_HOST; make sure it answers
    }

    @org.testcontainers.junit.jupiter.Container
    static final GenericContainer<?> image =
            new GenericContainer<>(DockerImageName.parse("localhost/paperpod/test")).withCommand("sleep", "600");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "python3 --version, Python 3",
        "node --version, v",
        "bash --version, GNU bash",
        "setsid --version, setsid"
    })
    void hasTheRuntime(String command, String expected) throws Exception {
        Container.ExecResult result = image.execInContainer(command.split(" "));

        assertThat(result.getExitCode()).as(result.getStderr()).isZero();
        assertThat(result.getStdout() + result.getStderr()).contains(expected);
    }

    @org.junit.jupiter.api.Test
    void hasNoJavaRuntimeTheAgentOnceNeeded() throws Exception {
        assertThat(image.execInContainer("sh", "-c", "command -v java").getExitCode())
                .isNotZero();
    }
}
