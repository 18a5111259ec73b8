package dev.paperpod.scheduler.projection;

import dev.paperpod.scheduler.lifecycle.JobDecisions;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.event.JobQueued;
import dev.paperpod.schemas.event.JobRan;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.store.ConcurrentJobModificationException;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import dev.paperpod.store.WorkerStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Repository;

/**
 * Applies job events to the store ({@link JobDecisions} decides what each does to its job). Every method is idempotent and tolerates any order: an event may arrive twice
 * (at-least-once delivery), a sync job's {@code job.queued}, produced by the API, may arrive after the worker's
 * {@code job.started}, and a worker declared lost may still report an attempt that was already retried. Status
 * changes go through {@link JobRecord} (the state machine) and version-checked saves; a save that lost a race with
 * the API or the sweeper reads the job again and decides again.
 */
@Repository
class JobProjection {

    private static final Logger log = LoggerFactory.getLogger(JobProjection.class);
    private static final int SAVE_ROUNDS = 5;

    private final JobStore store;
    private final WorkerStore workers;
    private final JobDecisions decide;

    JobProjection(JobStore store, WorkerStore workers, JobDecisions decide) {
        this.store = store;
        this.workers = workers;
        this.decide = decide;
    }

    /**
     * Records event ids and reads the jobs of short runs that may be applied together ({@link #ranAll}), recording
     * those absent, in one round trip; returns the ids not recorded before, whose effects are still to be applied,
     * and the jobs.
     */
    JobStore.Arrivals firstTime(Collection<UUID> eventIds, List<JobRan> runs) {
        return store.recordEventsAndFindAll(
                eventIds, runs.stream().map(r -> newJob(r.finished())).toList());
    }

    /** A sync job's record for history (async jobs are written by the API with their outbox row). */
    void queued(JobQueued event) {
        JobEnvelope job = event.job();
        store.insertIfAbsent(newJob(
                job.jobId(),
                job.accountId(),
                job.kind().wireName(),
                job.source().wireName(),
                job.attempt(),
                job.submittedAt()));
        store.recordSpec(job.jobId(), job.spec(), job.submittedAt());
    }

    void started(JobStarted event) {
        JobRecord job = store.insertIfAbsentAndFind(newJob(event));
        store.attemptStarted(event.jobId(), event.attempt(), event.workerId(), event.sandboxId(), event.at());
        update(job, j -> decide.started(j, event));
    }

    void finished(JobFinished event) {
        JobRecord job = store.insertIfAbsentAndFind(newJob(event));
        attemptEnded(event);
        update(job, j -> decide.finished(j, event));
    }

    /**
     * A short run's start, output and end ({@code job.ran}): the effects of the three kinds of event one by one, each
     * only if its id is new ({@code start}, {@code end}: see {@link #firstTime}), but the job read and saved once.
     */
    void ran(JobRan ran, boolean start, boolean end) {
        JobStarted started = ran.started();
        JobRecord job = store.insertIfAbsentAndFind(newJob(ran.finished()));
        List<JobStore.Output> output =
                ran.output().stream().map(JobProjection::chunk).toList();
        if (start && end) {
            store.attemptsRan(List.of(attempt(ran)), output);
        } else {
            if (start) {
                store.attemptStarted(
                        started.jobId(), started.attempt(), started.workerId(), started.sandboxId(), started.at());
            } else if (end) {
                attemptEnded(ran.finished());
            }
            store.outputs(output);
        }
        if (start || end) {
            update(job, j -> afterRan(j, ran, start, end));
        }
    }

    /**
     * {@link #ran} for short runs of distinct jobs, each of whose parts is new, their jobs as {@link #firstTime} read
     * them: two statements for all of them (attempts with output, jobs saved), not a few per run. A job whose row
     * moved on while it was decided is read and decided again on its own.
     */
    void ranAll(List<JobRan> runs, Map<UUID, JobRecord> jobs) {
        if (runs.isEmpty()) {
            return;
        }
        store.attemptsRan(
                runs.stream().map(JobProjection::attempt).toList(),
                runs.stream()
                        .flatMap(r -> r.output().stream())
                        .map(JobProjection::chunk)
                        .toList());
        Map<UUID, JobRan> decided = new HashMap<>();
        List<JobRecord> changed = new ArrayList<>(runs.size());
        for (JobRan ran : runs) {
            JobRecord after =
                    afterRan(Objects.requireNonNull(jobs.get(ran.finished().jobId())), ran, true, true);
            if (after != null) {
                changed.add(after);
                decided.put(after.id(), ran);
            }
        }
        for (JobRecord lost : store.saveAll(changed)) {
            JobRan ran = Objects.requireNonNull(decided.get(lost.id()));
            update(store.find(lost.id()).orElseThrow(), j -> afterRan(j, ran, true, true));
        }
    }

    private @Nullable JobRecord afterRan(JobRecord job, JobRan ran, boolean start, boolean end) {
        return decide.ran(job, ran.started(), ran.finished(), start, end);
    }

    private static JobStore.AttemptRan attempt(JobRan ran) {
        JobStarted started = ran.started();
        JobFinished finished = ran.finished();
        return new JobStore.AttemptRan(
                started.jobId(),
                started.attempt(),
                started.workerId(),
                started.sandboxId(),
                started.at(),
                finished.at(),
                outcome(finished),
                finished.error());
    }

    private static JobStore.Output chunk(JobOutput chunk) {
        return new JobStore.Output(
                chunk.jobId(), chunk.attempt(), chunk.seq(), chunk.stream().wireName(), chunk.data(), chunk.at());
    }

    private void attemptEnded(JobFinished event) {
        store.attemptEnded(event.jobId(), event.attempt(), event.at(), outcome(event), event.error());
    }

    private static String outcome(JobFinished event) {
        return event.result() != null
                ? event.result().outcome()
                : event.status().name();
    }

    /**
     * Lets {@code decide} change the job as read (null: no change) and saves it; reads it again when the save lost a
     * race.
     */
    private void update(JobRecord read, Function<JobRecord, @Nullable JobRecord> decision) {
        UUID jobId = read.id();
        JobRecord job = read;
        for (int round = 1; ; round++) {
            if (round > 1) {
                job = store.find(jobId).orElseThrow();
            }
            JobRecord changed = decision.apply(job);
            if (changed == null) {
                return;
            }
            try {
                store.save(changed);
                return;
            } catch (ConcurrentJobModificationException e) {
                if (round == SAVE_ROUNDS) {
                    throw e;
                }
                log.debug("Job {} changed while projecting an event; reading it again", jobId);
            }
        }
    }

    /** An output chunk, kept for the job's event stream; a chunk of a job not (yet) recorded is skipped. */
    void output(JobOutput chunk) {
        store.outputs(List.of(chunk(chunk)));
    }

    void heartbeat(WorkerHeartbeat beat) {
        workers.heartbeat(beat);
    }

    private static JobRecord newJob(JobStarted event) {
        return newJob(
                event.jobId(),
                event.accountId(),
                event.kind().wireName(),
                event.source().wireName(),
                event.attempt(),
                event.at());
    }

    private static JobRecord newJob(JobFinished event) {
        return newJob(
                event.jobId(),
                event.accountId(),
                event.kind().wireName(),
                event.source().wireName(),
                event.attempt(),
                event.timing() != null ? event.timing().submittedAt() : event.at());
    }

    /** A job known so far only from an event: a sync job, which its client retries (one attempt). */
    private static JobRecord newJob(UUID id, UUID account, String kind, String source, int attempt, Instant at) {
        // On Kafka already (dispatched): a sync job goes there straight from the API, bypassing the dispatcher.
        return JobRecord.waiting(
                id,
                account,
                kind,
                source,
                attempt,
                "sync".equals(source) ? 1 : attempt,
                at,
                null,
                JobPriority.NORMAL,
                null,
                at);
    }
}
