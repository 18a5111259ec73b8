package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link BrowserSessionStore} does: a session is the account's alone, open until ended or idle. */
abstract class BrowserSessionStoreContract {

    protected abstract Stores stores();

    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private static BrowserSessionStore.Session session(UUID account, String worker) {
        return BrowserSessionStore.Session.opening(
                "bss-" + UUID.randomUUID(), account, worker, Duration.ofMinutes(5), T0);
    }

    private static void open(BrowserSessionStore sessions, BrowserSessionStore.Session s) {
        assertThat(sessions.open(s, 10, T0)).isTrue();
    }

    @Test
    void anAccountNeverHoldsMoreThanItsMostEvenWhenAskedAtOnce() throws Exception {
        BrowserSessionStore sessions = stores().browserSessions();
        UUID account = stores().account();
        int asks = 8;
        ExecutorService callers = Executors.newFixedThreadPool(asks);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < asks; i++) {
                answers.add(callers.submit(() -> {
                    go.await();
                    return sessions.open(session(account, "worker-a"), 3, T0);
                }));
            }
            go.countDown();
            int opened = 0;
            for (Future<Boolean> answer : answers) {
                opened += answer.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }

            assertThat(opened).isEqualTo(3);
            List<BrowserSessionStore.Session> open = sessions.open(account, T0);
            assertThat(open).hasSize(3);
            assertThat(sessions.open(session(account, "worker-a"), 3, T0)).isFalse();
            sessions.end(account, open.get(0).sessionId(), T0);
            assertThat(sessions.open(session(account, "worker-a"), 3, T0))
                    .as("an ended session frees its place")
                    .isTrue();
            assertThat(sessions.open(session(stores().account(), "worker-a"), 3, T0))
                    .as("another account counts its own")
                    .isTrue();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aSessionIsFoundByItsAccountOnlyAndListedOldestFirst() {
        BrowserSessionStore sessions = stores().browserSessions();
        UUID account = stores().account();
        BrowserSessionStore.Session first = session(account, "worker-a");
        BrowserSessionStore.Session second = new BrowserSessionStore.Session(
                "bss-" + UUID.randomUUID(),
                account,
                "worker-b",
                Duration.ofMinutes(1),
                T0.plusSeconds(1),
                T0,
                null,
                null);
        open(sessions, first);
        open(sessions, second);

        assertThat(sessions.find(account, first.sessionId(), T0)).contains(first);
        assertThat(sessions.find(stores().account(), first.sessionId(), T0))
                .as("another account")
                .isEmpty();
        assertThat(sessions.open(account, T0)).containsExactly(first, second);
    }

    @Test
    void anIdleSessionIsNoLongerOpenAndAUseKeepsItSo() {
        BrowserSessionStore sessions = stores().browserSessions();
        UUID account = stores().account();
        BrowserSessionStore.Session s = session(account, "worker-a");
        open(sessions, s);

        assertThat(sessions.find(account, s.sessionId(), T0.plus(Duration.ofMinutes(6))))
                .as("idle past its 5 minutes")
                .isEmpty();
        sessions.used(s.sessionId(), T0.plus(Duration.ofMinutes(4)));
        assertThat(sessions.find(account, s.sessionId(), T0.plus(Duration.ofMinutes(6))))
                .map(BrowserSessionStore.Session::expiresAt)
                .contains(T0.plus(Duration.ofMinutes(9)));
        sessions.used(s.sessionId(), T0);
        assertThat(sessions.find(account, s.sessionId(), T0.plus(Duration.ofMinutes(6))))
                .as("an earlier use does not take its time back")
                .isPresent();
    }

    @Test
    void anEndedSessionIsEndedOnceAndCountsNoMore() {
        BrowserSessionStore sessions = stores().browserSessions();
        UUID account = stores().account();
        String worker = "worker-" + UUID.randomUUID();
        BrowserSessionStore.Session s = session(account, worker);
        open(sessions, s);
        open(sessions, session(account, worker));
        assertThat(sessions.openPerWorker(List.of(worker, "worker-none"), T0)).containsEntry(worker, 2);

        assertThat(sessions.end(stores().account(), s.sessionId(), T0))
                .as("not its account")
                .isEmpty();
        assertThat(sessions.end(account, s.sessionId(), T0)).isPresent();
        assertThat(sessions.end(account, s.sessionId(), T0)).as("once").isEmpty();

        assertThat(sessions.find(account, s.sessionId(), T0)).isEmpty();
        assertThat(sessions.openPerWorker(List.of(worker), T0)).containsEntry(worker, 1);
        assertThat(sessions.openPerWorker(List.of(), T0)).isEmpty();
    }

    @Test
    void itsTimeOfUseCountsFromItsBrowsersStartToItsEndInSecondsBegun() {
        BrowserSessionStore sessions = stores().browserSessions();
        UUID account = stores().account();
        BrowserSessionStore.Session s = session(account, "worker-a");
        open(sessions, s);
        assertThat(sessions.find(account, s.sessionId(), T0).orElseThrow().seconds(T0.plusSeconds(9)))
                .as("its browser is still starting")
                .isZero();

        Instant ready = T0.plusMillis(2_500);
        sessions.opened(s.sessionId(), ready);
        BrowserSessionStore.Session open =
                sessions.find(account, s.sessionId(), ready).orElseThrow();
        assertThat(open.openedAt()).isEqualTo(ready);
        assertThat(open.lastUsedAt())
                .as("its idle time counts from its start too")
                .isEqualTo(ready);
        assertThat(open.seconds(ready.plusMillis(40_001))).isEqualTo(41);
        assertThat(open.seconds(ready.plus(Duration.ofHours(1))))
                .as("no further than its idle timeout: it ended then")
                .isEqualTo(300);

        BrowserSessionStore.Session ended =
                sessions.end(account, s.sessionId(), ready.plusSeconds(61)).orElseThrow();
        assertThat(ended.endedAt()).isEqualTo(ready.plusSeconds(61));
        assertThat(ended.seconds(ready.plus(Duration.ofHours(1)))).isEqualTo(61);
    }
}
