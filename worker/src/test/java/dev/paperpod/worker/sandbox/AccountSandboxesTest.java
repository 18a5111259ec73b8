package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paperpod.schemas.job.Egress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class AccountSandboxesTest {

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger made = new AtomicInteger();
    private final List<String> destroyed = new ArrayList<>();
    private final SandboxRuntime runtime = new Destroying(destroyed);

    /** A runtime that only ends sandboxes, noting which: the sandboxes here come from the makers. */
    private record Destroying(List<String> destroyed) implements SandboxRuntime {
        @Override
        public Sandbox create() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void seal(Sandbox sandbox) {}

        @Override
        public void destroy(Sandbox sandbox) {
            synchronized (destroyed) {
                destroyed.add(sandbox.id());
            }
        }

        @Override
        public int reapLeftovers() {
            return 0;
        }
    }

    private AccountSandboxes sandboxes(int max) {
        return sandboxes(
                () -> new Sandbox("sbx-" + made.incrementAndGet(), "c", Path.of("/nowhere"), clock.instant()), max);
    }

    /** Sandboxes of {@code maker} on either network, {@code full} by default. */
    private AccountSandboxes sandboxes(Supplier<Sandbox> maker, int max) {
        AccountSandboxes.Maker one = new AccountSandboxes.Maker(maker, runtime);
        return new AccountSandboxes(
                Map.of(Egress.FULL, one, Egress.NONE, one), Egress.FULL, Duration.ofMinutes(30), max, clock);
    }

    @Test
    void anAccountsSandboxIsMadeOnceAndFoundByTheNextCall() {
        AccountSandboxes sandboxes = sandboxes(4);
        UUID account = UUID.randomUUID();

        AccountSandboxes.Hosted first = sandboxes.acquire(account, "default", null);
        first.release();
        AccountSandboxes.Hosted again = sandboxes.acquire(account, "default", null);
        again.release();

        assertThat(again.sandbox()).isEqualTo(first.sandbox());
        assertThat(sandboxes.acquire(account, "web", null).sandbox())
                .as("another name")
                .isNotEqualTo(first.sandbox());
        assertThat(sandboxes.acquire(UUID.randomUUID(), "default", null).sandbox())
                .as("another account")
                .isNotEqualTo(first.sandbox());
        assertThat(made).hasValue(3);
    }

    @Test
    void callersRacingForANewSandboxGetTheSameOne() throws Exception {
        CountDownLatch making = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AccountSandboxes sandboxes = sandboxes(
                () -> {
                    making.countDown();
                    await(go);
                    return new Sandbox("sbx-" + made.incrementAndGet(), "c", Path.of("/nowhere"), clock.instant());
                },
                4);
        UUID account = UUID.randomUUID();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Sandbox>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(threads.submit(
                        () -> sandboxes.acquire(account, "default", null).sandbox()));
            }
            assertThat(making.await(10, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            for (Future<Sandbox> call : calls) {
                assertThat(call.get(10, TimeUnit.SECONDS).id()).isEqualTo("sbx-1");
            }
            assertThat(made).hasValue(1);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aSandboxIsMadeOnTheNetworkItsFirstCallAsksForAndKeepsIt() {
        List<String> isolatedDestroyed = new ArrayList<>();
        SandboxRuntime isolated = new Destroying(isolatedDestroyed);
        AccountSandboxes sandboxes = new AccountSandboxes(
                Map.of(
                        Egress.FULL,
                        new AccountSandboxes.Maker(
                                () -> new Sandbox(
                                        "full-" + made.incrementAndGet(), "c", Path.of("/x"), clock.instant()),
                                runtime),
                        Egress.NONE,
                        new AccountSandboxes.Maker(
                                () -> new Sandbox(
                                        "none-" + made.incrementAndGet(), "c", Path.of("/x"), clock.instant()),
                                isolated)),
                Egress.FULL,
                Duration.ofMinutes(30),
                4,
                clock);
        UUID account = UUID.randomUUID();

        AccountSandboxes.Hosted byDefault = sandboxes.acquire(account, "default", null);
        AccountSandboxes.Hosted locked = sandboxes.acquire(account, "locked", Egress.NONE);
        assertThat(byDefault.sandbox().id()).isEqualTo("full-1");
        assertThat(byDefault.network()).isEqualTo(Egress.FULL);
        assertThat(locked.sandbox().id()).isEqualTo("none-2");
        assertThat(locked.network()).isEqualTo(Egress.NONE);
        byDefault.release();
        locked.release();

        assertThat(sandboxes.acquire(account, "default", Egress.NONE).sandbox().id())
                .as("a sandbox that exists keeps its network")
                .isEqualTo("full-1");
        sandboxes.end(account, "default");
        sandboxes.end(account, "locked");
        assertThat(destroyed).containsExactly("full-1");
        assertThat(isolatedDestroyed).as("ended by its own runtime").containsExactly("none-2");
        assertThat(sandboxes.acquire(account, "default", Egress.NONE).network())
                .as("made anew on the network now asked for")
                .isEqualTo(Egress.NONE);
    }

    @Test
    void aWorkerAtItsMostRefusesANewSandboxButServesTheOnesItHosts() {
        AccountSandboxes sandboxes = sandboxes(1);
        UUID account = UUID.randomUUID();
        sandboxes.acquire(account, "default", null).release();

        assertThatThrownBy(() -> sandboxes.acquire(account, "web", null))
                .isInstanceOf(SandboxesBusyException.class)
                .hasMessageContaining("paperpod.worker.account-sandbox.max");
        assertThat(sandboxes.acquire(account, "default", null).sandbox().id()).isEqualTo("sbx-1");
    }

    @Test
    void aSandboxIdlePastItsTimeoutEndsUnlessACallHoldsIt() {
        AccountSandboxes sandboxes = sandboxes(4);
        UUID account = UUID.randomUUID();
        sandboxes.acquire(account, "idle", null).release();
        AccountSandboxes.Hosted held = sandboxes.acquire(account, "held", null);

        clock.advance(Duration.ofMinutes(29));
        assertThat(sandboxes.expireIdle()).isZero();
        clock.advance(Duration.ofMinutes(2));
        assertThat(sandboxes.expireIdle()).isEqualTo(1);

        assertThat(destroyed).containsExactly("sbx-1");
        assertThat(sandboxes.find(account, "idle")).isNull();
        assertThat(sandboxes.find(account, "held")).isSameAs(held);
        held.release();
        assertThat(sandboxes.acquire(account, "idle", null).sandbox().id())
                .as("made anew")
                .isEqualTo("sbx-3");
    }

    @Test
    void anEndedOrLostSandboxIsMadeAnewByTheNextCall() {
        AccountSandboxes sandboxes = sandboxes(4);
        UUID account = UUID.randomUUID();
        AccountSandboxes.Hosted first = sandboxes.acquire(account, "default", null);
        String firstId = first.sandbox().id();
        first.release();

        sandboxes.end(account, "default");
        AccountSandboxes.Hosted second = sandboxes.acquire(account, "default", null);
        sandboxes.lost(second);
        sandboxes.lost(second); // a second report of the same loss ends nothing more
        AccountSandboxes.Hosted third = sandboxes.acquire(account, "default", null);

        assertThat(List.of(firstId, third.sandbox().id())).containsExactly("sbx-1", "sbx-3");
        assertThat(destroyed).containsExactly("sbx-1", "sbx-2");
    }

    @Test
    void aSandboxThatCannotBeMadeLeavesNothingHeld() {
        AtomicInteger tries = new AtomicInteger();
        AccountSandboxes sandboxes = sandboxes(
                () -> {
                    if (tries.incrementAndGet() == 1) {
                        throw new SandboxException("podman is away");
                    }
                    return new Sandbox("sbx-ok", "c", Path.of("/nowhere"), clock.instant());
                },
                1);
        UUID account = UUID.randomUUID();

        assertThatThrownBy(() -> sandboxes.acquire(account, "default", null)).hasMessageContaining("podman is away");
        assertThat(sandboxes.count()).isZero();
        assertThat(sandboxes.acquire(account, "default", null).sandbox().id()).isEqualTo("sbx-ok");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-03T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
