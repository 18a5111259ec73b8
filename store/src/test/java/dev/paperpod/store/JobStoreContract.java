package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobStateMachine;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Language;
import dev.paperpod.schemas.job.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobStore} does, whatever holds the jobs: version-checked saves, each event id fresh once, the
 * inserts a sync job's events make, attempts and output kept once each. One subclass per adapter.
 */
abstract class JobStoreContract {

    protected Stores stores;
    protected JobStore store;

    /** The adapter's stores, on storage that lives as long as the test run. */
    protected abstract Stores stores();

    @BeforeEach
    void stores_() {
        stores = stores();
        store = stores.jobs();
    }

    @Test
    void aSaveFromAStaleReadIsRefusedAndChangesNothing() {
        JobRecord queued = stores.insertQueued();
        JobRecord running = store.save(queued.started(1, "w-1", Stores.now()));
        assertThat(running.version()).isEqualTo(1);

        // Someone else read the job before it started and now tries to cancel it from that old picture.
        JobRecord staleCancel = queued.ended(
                JobStatus.CANCELED, null, new JobError("CANCELED", "by the client", false), null, null, Stores.now());
        assertThatThrownBy(() -> store.save(staleCancel)).isInstanceOf(ConcurrentJobModificationException.class);

        JobRecord now = store.find(queued.id()).orElseThrow();
        assertThat(now.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(now.workerId()).isEqualTo("w-1");
        assertThat(now.version()).isEqualTo(1);
    }

    @Test
    void aJobRoundTripsThroughItsLifeWithTheNextAttemptCounted() {
        JobRecord job = stores.insertQueued();
        job = store.save(job.started(1, "w-1", Stores.now()));
        Instant due = Stores.now().plusSeconds(5);
        job = store.save(job.retrying(new JobError("SANDBOX_LOST", "gone", true), due));
        assertThat(store.find(job.id()).orElseThrow())
                .extracting(JobRecord::status, JobRecord::nextAttemptAt, JobRecord::attempt)
                .containsExactly(JobStatus.RETRYING, due, 1);

        job = store.save(job.requeued());
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.canRetry()).isTrue();
        job = store.save(job.started(2, "w-2", Stores.now()));
        store.save(job.ended(JobStatus.SUCCEEDED, null, null, null, null, Stores.now()));

        JobRecord done = store.find(job.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.version()).isEqualTo(5);
        assertThat(done.nextAttemptAt()).isNull();
        assertThat(done.canRetry()).isTrue(); // attempts left, but an ended job never moves again:
        assertThatThrownBy(done::requeued).isInstanceOf(JobStateMachine.IllegalJobTransitionException.class);
    }

    @Test
    void aSyncJobHasNoRetriesAndACanceledRunBlocksThem() {
        JobRecord job = stores.insertQueued();
        assertThat(job.cancelRequested(Stores.now()).canRetry()).isFalse();
        JobRecord sync = JobRecord.waiting(
                UUID.randomUUID(),
                job.accountId(),
                "exec",
                "sync",
                1,
                3,
                Stores.now(),
                null,
                JobPriority.NORMAL,
                null,
                null);
        assertThat(sync.canRetry()).isFalse();
    }

    @Test
    void insertIfAbsentAndFindAnswersTheStoredJobEitherWay() {
        JobRecord stored = stores.insertQueued();
        JobRecord other = Stores.syncStub(stored.id(), stored.accountId(), null);
        assertThat(store.insertIfAbsentAndFind(other))
                .as("present: the row, not the stub")
                .isEqualTo(stored);

        JobRecord absent = Stores.syncStub(UUID.randomUUID(), stored.accountId(), null);
        JobRecord inserted = store.insertIfAbsentAndFind(absent);
        assertThat(inserted.id()).isEqualTo(absent.id());
        assertThat(inserted.source()).isEqualTo("sync");
        assertThat(store.find(absent.id())).contains(inserted);
    }

    @Test
    void saveAllWritesTheJobsStillAtTheirVersionAndAnswersTheOthers() {
        JobRecord first = stores.insertQueued();
        JobRecord second = stores.insertQueued();
        JobRecord third = stores.insertQueued();
        store.save(second.started(1, "w-0", Stores.now())); // second's read below is stale now

        Instant end = Stores.now();
        JobRecord firstDone = first.started(1, "w-1", end).ended(JobStatus.SUCCEEDED, null, null, null, end, end);
        JobRecord secondDone = second.started(1, "w-1", end).ended(JobStatus.SUCCEEDED, null, null, null, end, end);
        JobRecord thirdRunning = third.started(1, "w-1", end);
        assertThat(store.saveAll(List.of(firstDone, secondDone, thirdRunning))).containsExactly(secondDone);

        assertThat(store.find(first.id()).orElseThrow())
                .returns(JobStatus.SUCCEEDED, JobRecord::status)
                .returns(first.version() + 1, JobRecord::version)
                .returns(end, JobRecord::finishedAt);
        assertThat(store.find(second.id()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
        assertThat(store.find(third.id()).orElseThrow())
                .returns(JobStatus.RUNNING, JobRecord::status)
                .returns("w-1", JobRecord::workerId);
        assertThatThrownBy(() -> store.saveAll(List.of(thirdRunning, thirdRunning)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventIdsAreFreshOnlyTheFirstTimeAndComeWithTheJobsOrWithoutAny() {
        JobRecord stored = stores.insertQueued();
        UUID seen = UUID.randomUUID();
        UUID unseen = UUID.randomUUID();
        assertThat(store.recordEventsAndFindAll(List.of(seen), List.of()))
                .returns(java.util.Set.of(seen), JobStore.Arrivals::fresh)
                .returns(Map.of(), JobStore.Arrivals::jobs);

        JobStore.Arrivals arrivals = store.recordEventsAndFindAll(
                List.of(seen, unseen), List.of(Stores.syncStub(stored.id(), stored.accountId(), null)));

        assertThat(arrivals.fresh()).containsExactly(unseen);
        assertThat(arrivals.jobs()).isEqualTo(Map.of(stored.id(), stored));
        assertThat(store.recordEventsAndFindAll(List.of(seen, unseen), List.of())
                        .fresh())
                .isEmpty();
    }

    @Test
    void insertIfAbsentAndFindAllAnswersStoredAndNewJobsById() {
        JobRecord stored = stores.insertQueued();
        JobRecord stub = Stores.syncStub(stored.id(), stored.accountId(), null);
        JobRecord absent = Stores.syncStub(UUID.randomUUID(), stored.accountId(), Stores.now());

        Map<UUID, JobRecord> found = store.insertIfAbsentAndFindAll(List.of(stub, absent));

        assertThat(found).containsOnlyKeys(stored.id(), absent.id());
        assertThat(found.get(stored.id())).as("present: the row, not the stub").isEqualTo(stored);
        assertThat(found.get(absent.id()))
                .returns("sync", JobRecord::source)
                .returns(absent.createdAt(), JobRecord::createdAt)
                .returns(absent.dispatchedAt(), JobRecord::dispatchedAt);
        assertThat(store.find(absent.id())).contains(found.get(absent.id()));
    }

    @Test
    void outputsOfManyJobsAreStoredOnceAndThoseOfUnknownJobsSkipped() {
        JobRecord a = stores.insertQueued();
        JobRecord b = stores.insertQueued();
        Instant at = Stores.now();
        var chunks = List.of(
                new JobStore.Output(a.id(), 1, 0, "stdout", "a0", at),
                new JobStore.Output(a.id(), 1, 1, "stderr", "a1", at),
                new JobStore.Output(b.id(), 1, 0, "stdout", "b0", at),
                new JobStore.Output(UUID.randomUUID(), 1, 0, "stdout", "nobody's", at));
        store.outputs(chunks);
        store.outputs(chunks.subList(0, 1)); // replayed

        assertThat(store.output(a.id(), 1, -1))
                .extracting(JobStore.Output::data)
                .containsExactly("a0", "a1");
        assertThat(store.output(a.id(), 1, 0)).extracting(JobStore.Output::data).containsExactly("a1");
        assertThat(store.output(b.id(), 0, -1))
                .extracting(JobStore.Output::data)
                .containsExactly("b0");
    }

    @Test
    void attemptsRanRecordManyAttemptsAndKeepAnEndedOnesFirstEnd() {
        JobRecord a = stores.insertQueued();
        JobRecord b = stores.insertQueued();
        Instant t0 = Stores.now();
        Instant t1 = t0.plusMillis(5);
        store.attemptsRan(
                List.of(
                        new JobStore.AttemptRan(a.id(), 1, "w-1", "s-1", t0, t1, "OK", null),
                        new JobStore.AttemptRan(b.id(), 1, "w-1", "s-2", t0, t1, "TIMEOUT", null)),
                List.of(
                        new JobStore.Output(a.id(), 1, 0, "stdout", "a0", t0),
                        new JobStore.Output(UUID.randomUUID(), 1, 0, "stdout", "nobody's", t0)));
        store.attemptsRan(
                List.of(new JobStore.AttemptRan(a.id(), 1, "w-2", "s-3", t1, t1.plusMillis(5), "KILLED", null)),
                List.of(
                        new JobStore.Output(a.id(), 1, 0, "stdout", "a0 again", t1),
                        new JobStore.Output(b.id(), 1, 0, "stdout", "b0", t1)));

        assertThat(store.attempts(a.id()))
                .singleElement()
                .returns("w-1", JobStore.Attempt::workerId)
                .returns("s-1", JobStore.Attempt::sandboxId)
                .returns("OK", JobStore.Attempt::outcome)
                .returns(t1, JobStore.Attempt::finishedAt);
        assertThat(store.attempts(b.id())).extracting(JobStore.Attempt::outcome).containsExactly("TIMEOUT");
        assertThat(store.output(a.id(), 1, -1))
                .as("the output with them, each chunk once")
                .extracting(JobStore.Output::data)
                .containsExactly("a0");
        assertThat(store.output(b.id(), 1, -1))
                .extracting(JobStore.Output::data)
                .containsExactly("b0");
    }

    @Test
    void aSyncJobsSpecArrivesAfterItsRowAndTheEarlierTimeWins() {
        UUID account = stores.account();
        JobRecord stub = store.insertIfAbsentAndFind(Stores.syncStub(UUID.randomUUID(), account, Stores.now()));
        ExecSpec spec = new ExecSpec(Language.PYTHON, "print(1)", 5000, Map.of(), null, Egress.NONE);
        Instant submitted = stub.createdAt().minusMillis(30);

        store.recordSpec(stub.id(), spec, submitted);
        store.recordSpec(
                stub.id(), new ExecSpec(Language.SHELL, "later", 1, Map.of(), null, Egress.NONE), Stores.now());

        JobRecord job = store.find(stub.id()).orElseThrow();
        assertThat(job.spec()).as("the first spec stays").isEqualTo(spec);
        assertThat(job.createdAt()).isEqualTo(submitted);
    }

    @Test
    void anEndedJobKeepsItsResultWithItsKindAndIsListedByKindAndStatus() {
        UUID account = stores.account();
        JobRecord job = Stores.queuedJob(account);
        store.insert(job);
        JobRecord other = Stores.queuedJob(account);
        store.insert(other);
        Instant end = Stores.now();
        ExecResult result = new ExecResult("hi\n", "", 0, Verdict.OK, false, 3, 2L, 1024L);
        store.save(store.find(job.id())
                .orElseThrow()
                .started(1, "w-1", end)
                .ended(JobStatus.SUCCEEDED, result, null, null, end, end));

        assertThat(store.find(job.id()).orElseThrow().result()).isEqualTo(result);
        assertThat(store.list(account, Set.of(JobStatus.SUCCEEDED), "exec", null, null, 10))
                .extracting(JobRecord::id)
                .containsExactly(job.id());
        assertThat(store.list(account, Set.of(), "sleep", null, null, 10)).isEmpty();
        List<JobRecord> page = store.list(account, Set.of(), null, null, null, 1);
        assertThat(page).hasSize(1);
        JobRecord last = page.get(0);
        assertThat(store.list(account, Set.of(), null, null, new JobStore.Position(last.createdAt(), last.id()), 10))
                .as("the next page starts after the last one")
                .extracting(JobRecord::id)
                .doesNotContain(last.id())
                .hasSize(1);
    }

    @Test
    void aCancelEndsAWaitingJobAndMarksARunningOne() {
        Instant at = Stores.now();
        JobRecord waiting = stores.insertQueued();
        JobRecord running = store.save(stores.insertQueued().started(1, "w-1", at));

        JobRecord canceled = store.save(waiting.cancel(at, "not needed"));
        JobRecord marked = store.save(running.cancel(at, "not needed"));

        assertThat(canceled.status()).isEqualTo(JobStatus.CANCELED);
        assertThat(canceled.error()).isEqualTo(new JobError("CANCELED", "not needed", false));
        assertThat(marked.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(marked.cancelRequestedAt()).isEqualTo(at);
        assertThatThrownBy(() -> canceled.cancel(at, "again"))
                .isInstanceOf(JobStateMachine.IllegalJobTransitionException.class);
    }
}
