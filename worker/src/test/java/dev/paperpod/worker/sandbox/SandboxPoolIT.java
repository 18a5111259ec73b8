package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm pool on real Podman: filled ahead of demand, bounded, reused per account only after a verified reset. */
class SandboxPoolIT {

    private static final UUID ALICE = UUID.randomUUID();
    private static final UUID BOB = UUID.randomUUID();
    private static final Duration CLAIM = Duration.ofSeconds(30);

    @TempDir
    Path sockets;

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private DockerClient docker;
    private SandboxPool pool;

    @BeforeEach
    void connect() {
        docker = Podman.docker();
    }

    @AfterEach
    void closePool() throws IOException {
        if (pool != null) {
            pool.close();
        }
        docker.close();
    }

    @Test
    void keepsFreshSandboxesWarmAndRefills() {
        pool = pool(SandboxSettings.aSandbox(sockets).minIdle(2).max(3).reusePerAccount(0));
        await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 2);

        Sandbox first = pool.claim(ALICE, CLAIM);
        assertThat(pool.busyCount()).isEqualTo(1);
        pool.release(first, ALICE, true);

        await().atMost(Duration.ofSeconds(60)).until(() -> pool.readyCount() == 2 && pool.busyCount() == 0);
        Sandbox second = pool.claim(ALICE, CLAIM);
        assertThat(second.id())
                .as("reuse is off: a released sandbox is destroyed")
                .isNotEqualTo(first.id());
        assertThat(metrics.get("paperpod.sandbox.claim").timer().count()).isEqualTo(2);
        assertThat(metrics.get("paperpod.sandbox.create").timer().count()).isGreaterThanOrEqualTo(3);
        assertThat(metrics.get("paperpod.sandbox.pool.busy").gauge().value()).isEqualTo(1);
    }

    @Test
    void givesAReleasedSandboxBackToTheSameAccountWithNothingLeftInIt() throws IOException {
        pool = pool(SandboxSettings.aSandbox(sockets).max(2));
        Sandbox used = pool.claim(ALICE, CLAIM);
        String leftovers = "echo secret > /workspace/w; echo t > /tmp/t; echo s > /dev/shm/s;"
                + " (setsid sleep 1001 >/dev/null 2>&1 &); (sleep 1002 >/dev/null 2>&1 &); echo left";
        assertThat(PodmanSandboxRuntimeIT.run(used, leftovers).stdout()).isEqualTo("left\n");
        pool.release(used, ALICE, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.reusableCount(ALICE) == 1);

        Sandbox again = pool.claim(ALICE, CLAIM);

        assertThat(again.id()).isEqualTo(used.id());
        String seen = PodmanSandboxRuntimeIT.run(
                        again, "ls -A /workspace /tmp /dev/shm; ps -eo args | grep -c '[s]leep 100' || true")
                .stdout();
        assertThat(seen).isEqualTo("/dev/shm:\n\n/tmp:\n\n/workspace:\n0\n");
    }

    @Test
    void neverGivesOneAccountsSandboxToAnother() {
        pool = pool(SandboxSettings.aSandbox(sockets).max(2));
        Sandbox alices = pool.claim(ALICE, CLAIM);
        pool.release(alices, ALICE, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.reusableCount(ALICE) == 1);

        Sandbox bobs = pool.claim(BOB, CLAIM);

        assertThat(bobs.id()).isNotEqualTo(alices.id());
        assertThat(pool.reusableCount(ALICE)).isEqualTo(1);
    }

    @Test
    void atTheCeilingMakesRoomByDestroyingAnotherAccountsIdleSandbox() {
        pool = pool(SandboxSettings.aSandbox(sockets).max(1));
        Sandbox alices = pool.claim(ALICE, CLAIM);
        pool.release(alices, ALICE, true);
        await().atMost(Duration.ofSeconds(30)).until(() -> pool.reusableCount(ALICE) == 1);

        Sandbox bobs = pool.claim(BOB, CLAIM);

        assertThat(bobs.id()).isNotEqualTo(alices.id());
        assertThat(pool.reusableCount(ALICE)).isZero();
    }

    @Test
    void destroysASandboxWhoseRunDidNotEndNormally() {
        pool = pool(SandboxSettings.aSandbox(sockets).max(2));
        Sandbox broken = pool.claim(ALICE, CLAIM);
        pool.release(broken, ALICE, false);

        Sandbox next = pool.claim(ALICE, CLAIM);

        assertThat(next.id()).isNotEqualTo(broken.id());
    }

    @Test
    void refusesAClaimBeyondItsCeilingAfterTheTimeout() {
        pool = pool(SandboxSettings.aSandbox(sockets).max(1));
        Sandbox only = pool.claim(ALICE, CLAIM);

        assertThatThrownBy(() -> pool.claim(ALICE, Duration.ofMillis(300)))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("1 busy of 1");
    }

    @Test
    void aClaimThatTimesOutWhileASandboxIsStillBeingMadeSaysSoAndIsNotBusy() throws Exception {
        // The pool's only sandbox is being made (held back here) when the claim gives up: nothing failed and the
        // pool is not full, so the claim fails as sandboxes not coming — not as a busy pool, which a background
        // job would wait out — and says how it stands.
        var built = SandboxSettings.aSandbox(sockets).minIdle(1).max(1).build();
        var real = new PodmanSandboxRuntime(docker, built, "none", "pool-it", Clock.systemUTC());
        var creating = new java.util.concurrent.CountDownLatch(1);
        var proceed = new java.util.concurrent.CountDownLatch(1);
        SandboxRuntime slow = new SandboxRuntime() {
            @Override
            public Sandbox create() {
                creating.countDown();
                try {
                    proceed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SandboxException("interrupted");
                }
                return real.create();
            }

            @Override
            public void seal(Sandbox sandbox) {
                real.seal(sandbox);
            }

            @Override
            public void destroy(Sandbox sandbox) {
                real.destroy(sandbox);
            }

            @Override
            public int reapLeftovers() {
                return real.reapLeftovers();
            }
        };
        pool = new SandboxPool(slow, built, Clock.systemUTC(), metrics, "it");
        pool.start();
        try {
            assertThat(creating.await(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();

            assertThatThrownBy(() -> pool.claim(ALICE, Duration.ofMillis(200)))
                    .isExactlyInstanceOf(SandboxException.class)
                    .hasMessageContaining("no sandbox within 200 ms (0 busy of 1)");
        } finally {
            proceed.countDown();
        }
    }

    @Test
    void reportsAMissingImageClearly() {
        PodmanSandboxRuntime runtime = new PodmanSandboxRuntime(
                docker,
                SandboxSettings.aSandbox(sockets)
                        .image("localhost/paperpod/does-not-exist")
                        .build(),
                "none",
                "pool-it",
                Clock.systemUTC());

        assertThatThrownBy(runtime::checkImage)
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("build-images.sh");
    }

    private SandboxPool pool(SandboxSettings settings) {
        var built = settings.build();
        SandboxPool created = new SandboxPool(
                new PodmanSandboxRuntime(docker, built, "none", "pool-it", Clock.systemUTC()),
                built,
                Clock.systemUTC(),
                metrics,
                "it");
        created.start();
        return created;
    }
}
