package dev.paperpod.worker.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.paperpod.embedded.PodmanService;
import java.net.URI;
import java.nio.file.Path;

/** Podman's API service for the tests of this module: reused when running, started (once per JVM) otherwise. */
public final class Podman {

    private static final PodmanService SERVICE = PodmanService.ensureRunning(
            socket(),
            PodmanService.DEFAULT_FLAGS,
            Path.of("target/podman-service.log").toAbsolutePath());

    private Podman() {}

    /** The socket Failsafe names in DOCKER_HOST (Testcontainers reads it too), or the default one. */
    private static Path socket() {
        String host = System.getenv("DOCKER_HOST");
        return host != null && host.startsWith("unix://")
                ? Path.of(host.substring("unix://".length()))
                : PodmanService.defaultSocket();
    }

    static String dockerHost() {
        return SERVICE.dockerHost();
    }

    public static DockerClient docker() {
        return DockerClientImpl.getInstance(
                DefaultDockerClientConfig.createDefaultConfigBuilder()
                        .withDockerHost(dockerHost())
                        .build(),
                new ZerodepDockerHttpClient.Builder()
                        .dockerHost(URI.create(dockerHost()))
                        .build());
    }
}
