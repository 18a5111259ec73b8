package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AccountSandboxesTest {

    private final MutableClock clock = new MutableClock();
    private final AtomicInteger made = new AtomicInteger();
    private final List<String> destroyed = new ArrayList<>();
    private final SandboxRuntime runtime = new SandboxRuntime() {
        @Override
        public Sandbox create() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void seal(Sandbox sandbox) {}

        @Override
        public synchronized void destroy(Sandbox sandbox) {
            destroyed.add(sandbox.id());
        }

        @Override
        public int reapLeftovers() {
            return 0;
        }
    };

    private AccountSandboxes sandboxes(int max) {
        return new AccountSandboxes(
                () -> new Sandbox("sbx-" + made.incrementAndGet(), "c", Path.of("/nowhere"), clock.instant()),
                runtime,
                Duration.ofMinutes(30),
                max,
                clock);
    }

    @Test
    void anAccountsSandboxIsMadeOnceAndFoundByTheNextCall() {
        AccountSandboxes sandboxes = sandboxes(4);
        UUID account = UUID.randomUUID();

        AccountSandboxes.Hosted first = sandboxes.acquire(account, "default");
        first.release();
        AccountSandboxes.Hosted again = sandboxes.acquire(account, "default");
        again.release();

        assertThat(again.sandbox()).isEqualTo(first.sandbox());
        assertThat(sandboxes.acquire(account, "web").sandbox())
                .as("another name")
                .isNotEqualTo(first.sandbox());
        assertThat(sandboxes.acquire(UUID.randomUUID(), "default").sandbox())
                .as("another account")
                .isNotEqualTo(first.sandbox());
        assertThat(made).hasValue(3);
    }

    @Test
    void callersRacingForANewSandboxGetTheSameOne() throws Exception {
        CountDownLatch making = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AccountSandboxes sandboxes = new AccountSandboxes(
                () -> {
                    making.countDown();
                    await(go);
                    return new Sandbox("sbx-" + made.incrementAndGet(), "c", Path.of("/nowhere"), clock.instant());
                },
                runtime,
                Duration.ofMinutes(30),
                4,
                clock);
        UUID account = UUID.randomUUID();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Sandbox>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(threads.submit(
                        () -> sandboxes.acquire(account, "default").sandbox()));
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
    void aWorkerAtItsMostRefusesANewSandboxButServesTheOnesItHosts() {
        AccountSandboxes sandboxes = sandboxes(1);
        UUID account = UUID.randomUUID();
        sandboxes.acquire(account, "default").release();

        assertThatThrownBy(() -> sandboxes.acquire(account, "web"))
                .isInstanceOf(SandboxesBusyException.class)
                .hasMessageContaining("paperpod.worker.account-sandbox.max");
        assertThat(sandboxes.acquire(account, "default").sandbox().id()).isEqualTo("sbx-1");
    }

    @Test
    void aSandboxIdlePastItsTimeoutEndsUnlessACallHoldsIt() {
        AccountSandboxes sandboxes = sandboxes(4);
        UUID account = UUID.randomUUID();
        sandboxes.acquire(account, "idle").release();
        AccountSandboxes.Hosted held = sandboxes.acquire(account, "held");

        clock.advance(Duration.ofMinutes(29));
        assertThat(sandboxes.expireIdle()).isZero();
        clock.advance(Duration.ofMinutes(2));
        assertThat(sandboxes.expireIdle()).isEqualTo(1);

        assertThat(destroyed).containsExactly("sbx-1");
        assertThat(sandboxes.find(account, "idle")).isNull();
        assertThat(sandboxes.find(account, "held")).isSameAs(held);
        held.release();
        assertThat(sandboxes.acquire(account, "idle").sandbox().id())
                .as("made anew")
                .isEqualTo("sbx-3");
    }

    @Test
    void anEndedOrLostSandboxIsMadeAnewByTheNextCall() {
        AccountSandboxes sandboxes = sandboxes(4);
        UUID account = UUID.randomUUID();
        AccountSandboxes.Hosted first = sandboxes.acquire(account, "default");
        String firstId = first.sandbox().id();
        first.release();

        sandboxes.end(account, "default");
        AccountSandboxes.Hosted second = sandboxes.acquire(account, "default");
        sandboxes.lost(second);
        sandboxes.lost(second); // a second report of the same loss ends nothing more
        AccountSandboxes.Hosted third = sandboxes.acquire(account, "default");

        assertThat(List.of(firstId, third.sandbox().id())).containsExactly("sbx-1", "sbx-3");
        assertThat(destroyed).containsExactly("sbx-1", "sbx-2");
    }

    @Test
    void aSandboxThatCannotBeMadeLeavesNothingHeld() {
        AtomicInteger tries = new AtomicInteger();
        AccountSandboxes sandboxes = new AccountSandboxes(
                () -> {
                    if (tries.incrementAndGet() == 1) {
                        throw new SandboxException("podman is away");
                    }
                    return new Sandbox("sbx-ok", "c", Path.of("/nowhere"), clock.instant());
                },
                runtime,
                Duration.ofMinutes(30),
                1,
                clock);
        UUID account = UUID.randomUUID();

        assertThatThrownBy(() -> sandboxes.acquire(account, "default")).hasMessageContaining("podman is away");
        assertThat(sandboxes.count()).isZero();
        assertThat(sandboxes.acquire(account, "default").sandbox().id()).isEqualTo("sbx-ok");
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
