package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Language;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link DispatchQueue} does: the dispatch order (priorities, accounts taking turns within their
 * concurrency, runAt) and a round's figures per job kind. Each test starts with no job and no worker
 * ({@link #emptyQueue}). One subclass per adapter.
 */
abstract class DispatchQueueContract {

    protected final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    protected Stores stores;
    protected JobStore jobs;
    protected DispatchQueue queue;
    protected WorkerStore workers;

    /** The adapter's stores. */
    protected abstract Stores stores();

    /** Empties the queue and forgets the workers. */
    protected abstract void emptyQueue();

    @BeforeEach
    void start() {
        stores = stores();
        jobs = stores.jobs();
        queue = stores.queue();
        workers = stores.workers();
        emptyQueue();
    }

    @Test
    void highPriorityFirstThenAccountsTakeTurnsWithinTheirConcurrency() {
        UUID a = account(null);
        UUID b = account(null);
        UUID c = account(null);
        UUID a1 = waiting(a, JobPriority.NORMAL, 1, null);
        UUID a2 = waiting(a, JobPriority.NORMAL, 2, null);
        UUID a3 = waiting(a, JobPriority.NORMAL, 3, null);
        UUID aLow = waiting(a, JobPriority.LOW, 4, null);
        UUID b1 = waiting(b, JobPriority.NORMAL, 5, null);
        UUID b2 = waiting(b, JobPriority.NORMAL, 6, null);
        UUID cHigh = waiting(c, JobPriority.HIGH, 7, null);
        UUID later = waiting(c, JobPriority.HIGH, 8, now.plusSeconds(3600));

        assertThat(queue.position(cHigh, now)).hasValue(0);
        assertThat(queue.position(b1, now)).hasValue(2);
        assertThat(queue.position(later, now)).as("not due yet").isEmpty();

        List<UUID> first = take(10, 2);

        assertThat(first).containsExactly(cHigh, a1, b1, a2, b2);
        DispatchQueue.Room room = queue.room(now.minusSeconds(10));
        assertThat(room.inFlight(JobKind.EXEC).total()).isEqualTo(5);
        assertThat(room.inFlight(JobKind.EXEC).byPartition()).containsOnlyKeys(0, 1, 2, 3, 4);
        assertThat(queue.waiting(a, 100)).isEqualTo(2);
        assertThat(take(10, 2)).as("every account is at its limit of 2").isEmpty();

        // a1 ends: a gets one more turn, its oldest normal job before its low one.
        JobRecord done = jobs.find(a1).orElseThrow();
        jobs.save(done.started(1, "w", now).ended(JobStatus.SUCCEEDED, null, null, null, null, now));
        assertThat(take(10, 2)).containsExactly(a3);
        assertThat(queue.position(aLow, now)).hasValue(0);
        // An hour on, the delayed high-priority job is due and goes before the low one.
        assertThat(queue.position(later, now.plusSeconds(3601))).hasValue(0);
        assertThat(queue.position(aLow, now.plusSeconds(3601))).hasValue(1);
    }

    @Test
    void aRoundsFiguresComeInOneReadingWithOrWithoutJobsInFlight() {
        DispatchQueue.Room none = queue.room(now.minusSeconds(10));
        assertThat(none.capacity()).isEmpty();
        assertThat(none.inFlight()).isEmpty();
        assertThat(none.inFlight(JobKind.EXEC).total()).isZero();

        JobKind browser = new JobKind("browser");
        workers.heartbeat(new WorkerHeartbeat(
                "fresh",
                now,
                now,
                List.of(
                        new WorkerHeartbeat.Capacity(JobKind.EXEC, 4, 0, 4),
                        new WorkerHeartbeat.Capacity(browser, 1, 0, 2))));
        workers.heartbeat(new WorkerHeartbeat(
                "also-fresh", now, now, List.of(new WorkerHeartbeat.Capacity(JobKind.EXEC, 2, 0, 2))));
        workers.heartbeat(new WorkerHeartbeat(
                "gone",
                now.minusSeconds(3600),
                now.minusSeconds(3600),
                List.of(new WorkerHeartbeat.Capacity(JobKind.EXEC, 8, 0, 8))));
        UUID a = account(null);
        waiting(a, JobPriority.NORMAL, 1, null);
        waiting(a, JobPriority.NORMAL, 2, null);
        waiting(a, JobPriority.NORMAL, 3, null);
        assertThat(take(2, 16)).hasSize(2);
        DispatchQueue.Room room = queue.room(now.minusSeconds(10));
        assertThat(room.capacity())
                .as("the silent worker does not count")
                .containsOnly(Map.entry(JobKind.EXEC, 6), Map.entry(browser, 2));
        assertThat(room.inFlight(JobKind.EXEC).total()).isEqualTo(2);
        assertThat(room.inFlight(JobKind.EXEC).byPartition()).containsOnlyKeys(0, 1);
        assertThat(room.inFlight(browser).total()).isZero();
    }

    @Test
    void anAccountsOwnLimitOverridesTheDefault() {
        UUID solo = account(1);
        UUID first = waiting(solo, JobPriority.NORMAL, 1, null);
        waiting(solo, JobPriority.NORMAL, 2, null);

        assertThat(take(10, 16)).containsExactly(first);
        assertThat(queue.maxQueued(solo)).isEmpty();
    }

    @Test
    void theSlotsBoundABatch() {
        UUID a = account(null);
        for (int i = 0; i < 5; i++) {
            waiting(a, JobPriority.NORMAL, i, null);
        }
        assertThat(take(3, 16)).hasSize(3);
        assertThat(queue.waiting(a, 100)).isEqualTo(2);
        assertThat(queue.waiting(a, 1)).as("counted no further than asked").isEqualTo(1);
    }

    /** Takes up to {@code slots} jobs, onto partitions 0, 1, 2… */
    private List<UUID> take(int slots, int concurrency) {
        List<Integer> partitions =
                java.util.stream.IntStream.range(0, slots).boxed().toList();
        List<DispatchQueue.Dispatched> taken = stores.tx().execute(s -> {
            assertThat(queue.room(now).locked()).isTrue();
            return queue.takeNext(JobKind.EXEC, partitions, concurrency, now);
        });
        for (int i = 0; i < taken.size(); i++) {
            assertThat(taken.get(i).partition()).isEqualTo(i);
        }
        return taken.stream().map(d -> d.job().id()).toList();
    }

    /** A new account with its own limit of jobs at once, or the default. */
    protected abstract UUID account(@Nullable Integer maxConcurrency);

    /** A waiting job created {@code age} seconds after a fixed point: higher age, younger job. */
    private UUID waiting(UUID account, JobPriority priority, int age, @Nullable Instant runAt) {
        JobRecord job = JobRecord.waiting(
                UUID.randomUUID(),
                account,
                "exec",
                "async",
                1,
                3,
                now.minusSeconds(100 - age),
                new ExecSpec(Language.SHELL, "true", 1000, Map.of(), null, Egress.NONE),
                priority,
                runAt,
                null);
        jobs.insert(job);
        return job.id();
    }
}
