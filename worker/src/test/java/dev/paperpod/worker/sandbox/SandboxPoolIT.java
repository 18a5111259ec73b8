package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import dev.paperpod.worker.WorkerProperties;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The warm pool on real Podman: filled ahead of demand, bounded, and never reusing a sandbox. */
class SandboxPoolIT {

    @TempDir
    Path sockets;

    @Test
    void keepsSandboxesWarmHandsEachOutOnceAndRefills() throws IOException {
        try (DockerClient docker = Podman.docker();
                SandboxPool pool = new SandboxPool(runtime(docker, "pool-it-1"), settings(2, 3, "pool-it-1"))) {
            pool.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 2);

            Sandbox first = pool.claim(Duration.ofSeconds(30));
            assertThat(PodmanSandboxRuntimeIT.run(first, "echo warm").stdout()).isEqualTo("warm\n");
            assertThat(pool.busyCount()).isEqualTo(1);
            pool.release(first);

            await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 2 && pool.busyCount() == 0);
            Sandbox second = pool.claim(Duration.ofSeconds(30));
            Sandbox third = pool.claim(Duration.ofSeconds(30));
            assertThat(second.id()).isNotEqualTo(first.id());
            assertThat(third.id()).isNotIn(first.id(), second.id());
        }
    }

    @Test
    void refusesAClaimBeyondItsCeilingAfterTheTimeout() {
        try (DockerClient docker = Podman.docker();
                SandboxPool pool = new SandboxPool(runtime(docker, "pool-it-2"), settings(0, 1, "pool-it-2"))) {
            pool.start();
            Sandbox only = pool.claim(Duration.ofSeconds(30));

            assertThatThrownBy(() -> pool.claim(Duration.ofMillis(300)))
                    .isInstanceOf(SandboxException.class)
                    .hasMessageContaining("1 busy of 1");

            pool.release(only);
            assertThat(pool.claim(Duration.ofSeconds(30)).id()).isNotEqualTo(only.id());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void reportsAMissingImageClearly() {
        try (DockerClient docker = Podman.docker()) {
            WorkerProperties.Sandbox settings = settings(0, 1, "pool-it-3", "localhost/paperpod/does-not-exist");
            PodmanSandboxRuntime runtime = new PodmanSandboxRuntime(docker, settings, "pool-it-3", Clock.systemUTC());

            assertThatThrownBy(runtime::checkImage)
                    .isInstanceOf(SandboxException.class)
                    .hasMessageContaining("build-images.sh");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private PodmanSandboxRuntime runtime(DockerClient docker, String workerId) {
        return new PodmanSandboxRuntime(docker, settings(0, 1, workerId), workerId, Clock.systemUTC());
    }

    private WorkerProperties.Sandbox settings(int minIdle, int max, String name) {
        return settings(minIdle, max, name, "localhost/paperpod/test");
    }

    private WorkerProperties.Sandbox settings(int minIdle, int max, String name, String image) {
        return new WorkerProperties.Sandbox(
                image,
                minIdle,
                max,
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                sockets.resolve(name),
                null,
                DataSize.ofMegabytes(256),
                1.0,
                128,
                "none",
                DataSize.ofMegabytes(64),
                DataSize.ofMegabytes(64),
                DataSize.ofMegabytes(1));
    }
}
