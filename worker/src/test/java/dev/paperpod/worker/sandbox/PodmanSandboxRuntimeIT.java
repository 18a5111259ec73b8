package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import dev.paperpod.agent.client.ExecCommand;
import dev.paperpod.agent.client.ExecOutcome;
import dev.paperpod.agent.client.OutputListener;
import dev.paperpod.worker.WorkerProperties;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Podman containers from the locally built test image, driven through docker-java and the agent. */
class PodmanSandboxRuntimeIT {

    @TempDir
    static Path sockets;

    static DockerClient docker;

    @BeforeAll
    static void connect() {
        docker = Podman.docker();
    }

    @AfterAll
    static void disconnect() throws IOException {
        docker.close();
    }

    @Test
    void createsASandboxWhoseAgentRunsCommandsAndRemovesItCompletely() throws IOException {
        PodmanSandboxRuntime runtime = runtime("worker-it-1");
        Sandbox sandbox = runtime.create();
        try {
            awaitAgent(sandbox);
            Run run = run(sandbox, "echo hi from $(pwd)");
            assertThat(run.outcome().exitCode()).isZero();
            assertThat(run.stdout()).isEqualTo("hi from /workspace\n");
            // the Go agent, not a JVM; without a capability it still took its OOM score back after the spawn
            Run agent = run(sandbox, "cat /proc/$(pgrep -x paperpod-agent)/oom_score_adj /proc/self/oom_score_adj");
            assertThat(agent.stdout()).isEqualTo("0\n1000\n");
        } finally {
            runtime.destroy(sandbox);
        }
        assertThat(containersLabelled(sandbox.id())).isZero();
        assertThat(sandbox.socketDir()).doesNotExist();
    }

    @Test
    void sandboxIsHardened() throws IOException {
        PodmanSandboxRuntime runtime = runtime("worker-it-2");
        Sandbox sandbox = runtime.create();
        try {
            awaitAgent(sandbox);
            assertThat(run(sandbox, "touch /etc/owned 2>/dev/null && echo writable || echo read-only")
                            .stdout())
                    .isEqualTo("read-only\n");
            assertThat(run(sandbox, "touch /workspace/f /tmp/f && echo writable")
                            .stdout())
                    .isEqualTo("writable\n");
            assertThat(run(sandbox, "grep CapEff /proc/self/status").stdout()).contains("0000000000000000");
            // root inside is an unprivileged uid outside: the user namespace maps 0 to a high host uid
            String uidMap = run(sandbox, "cat /proc/self/uid_map").stdout().trim();
            assertThat(uidMap.split("\\s+")[0]).isEqualTo("0");
            assertThat(Long.parseLong(uidMap.split("\\s+")[1])).isGreaterThan(65535);
            assertThat(run(sandbox, "grep NoNewPrivs /proc/self/status").stdout())
                    .contains("1");
            assertThat(run(sandbox, "ls /sys/class/net").stdout()).isEqualTo("lo\n");
            runtime.seal(sandbox);
            assertThat(run(
                                    sandbox,
                                    "touch /run/paperpod/x 2>/dev/null || chmod 777 /run/paperpod 2>/dev/null"
                                            + " || echo sealed")
                            .stdout())
                    .isEqualTo("sealed\n");
            assertThat(run(sandbox, "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max")
                            .stdout())
                    .isEqualTo("256\n");
        } finally {
            runtime.destroy(sandbox);
        }
    }

    @Test
    void reapsOnlySandboxesWhoseWorkerIsGone() throws IOException {
        PodmanSandboxRuntime runtime = runtime("worker-it-3");
        Sandbox mine = runtime.create();
        try {
            // A sandbox labelled as created by a process that no longer exists: a worker that crashed.
            String orphan = docker.createContainerCmd("localhost/paperpod/test")
                    .withName("paperpod-it-orphan-" + System.nanoTime())
                    .withLabels(Map.of(
                            PodmanSandboxRuntime.LABEL_MANAGED, "true",
                            PodmanSandboxRuntime.LABEL_SANDBOX, "sbx-orphan-" + System.nanoTime(),
                            PodmanSandboxRuntime.LABEL_WORKER, "worker-gone",
                            PodmanSandboxRuntime.LABEL_HOST,
                                    java.net.InetAddress.getLocalHost().getHostName(),
                            PodmanSandboxRuntime.LABEL_OWNER, "999999999@1"))
                    .withCmd("sleep", "300")
                    .exec()
                    .getId();

            assertThat(runtime.reapLeftovers()).isGreaterThanOrEqualTo(1);

            assertThat(docker.listContainersCmd()
                            .withShowAll(true)
                            .withIdFilter(java.util.List.of(orphan))
                            .exec())
                    .isEmpty();
            assertThat(containersLabelled(mine.id())).isEqualTo(1);
        } finally {
            runtime.destroy(mine);
        }
    }

    private static PodmanSandboxRuntime runtime(String workerId) {
        WorkerProperties.Sandbox settings = SandboxSettings.aSandbox(sockets).build();
        PodmanSandboxRuntime runtime = new PodmanSandboxRuntime(docker, settings, "none", workerId, Clock.systemUTC());
        runtime.checkImage();
        return runtime;
    }

    static void awaitAgent(Sandbox sandbox) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            sandbox.agent().ping(Duration.ofSeconds(1));
            return true;
        });
    }

    record Run(ExecOutcome outcome, String stdout) {}

    static Run run(Sandbox sandbox, String command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputListener listener = (isStderr, data, offset, length) -> {
            if (!isStderr) {
                out.write(data, offset, length);
            }
        };
        ExecOutcome outcome =
                sandbox.agent().exec(ExecCommand.shell(command, 10_000), listener, Duration.ofSeconds(20));
        return new Run(outcome, out.toString(StandardCharsets.UTF_8));
    }

    private static int containersLabelled(String sandboxId) {
        return docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(PodmanSandboxRuntime.LABEL_SANDBOX, sandboxId))
                .exec()
                .size();
    }
}
