package dev.paperpod.scheduler.projection;

import dev.paperpod.scheduler.lifecycle.RetryPolicy;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.event.JobQueued;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.store.ConcurrentJobModificationException;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Applies job events to PostgreSQL. Every method is idempotent and tolerates any order: an event may arrive twice
 * (at-least-once delivery), a sync job's {@code job.queued}, produced by the API, may arrive after the worker's
 * {@code job.started}, and a worker declared lost may still report an attempt that was already retried. Status
 * changes go through {@link JobRecord} (the state machine) and version-checked saves; a save that lost a race with
 * the API or the sweeper reads the job again and decides again.
 */
@Repository
class JobProjection {

    private static final Logger log = LoggerFactory.getLogger(JobProjection.class);
    private static final int SAVE_ROUNDS = 5;

    private final JdbcClient jdbc;
    private final JobStore store;
    private final RetryPolicy retries;

    JobProjection(JdbcClient jdbc, JobStore store, RetryPolicy retries) {
        this.jdbc = jdbc;
        this.store = store;
        this.retries = retries;
    }

    /** Records the event id; false when it was recorded before, and its effect must not be applied again. */
    boolean firstTime(UUID eventId) {
        return jdbc.sql("insert into processed_events (event_id) values (?) on conflict do nothing")
                        .param(eventId)
                        .update()
                == 1;
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
        jdbc.sql("""
                        update jobs set spec = coalesce(spec, ?::jsonb), created_at = least(created_at, ?)
                        where id = ?
                        """)
                .params(Wire.writeString(job.spec()), Timestamp.from(job.submittedAt()), job.jobId())
                .update();
    }

    void started(JobStarted event) {
        store.insertIfAbsent(newJob(
                event.jobId(),
                event.accountId(),
                event.kind().wireName(),
                event.source().wireName(),
                event.attempt(),
                event.at()));
        store.attemptStarted(event.jobId(), event.attempt(), event.workerId(), event.sandboxId(), event.at());
        update(event.jobId(), job -> {
            if (isStale(job, event.attempt())) {
                return null;
            }
            return job.started(event.attempt(), event.workerId(), event.at());
        });
    }

    void finished(JobFinished event) {
        Instant createdAt = event.timing() != null ? event.timing().submittedAt() : event.at();
        store.insertIfAbsent(newJob(
                event.jobId(),
                event.accountId(),
                event.kind().wireName(),
                event.source().wireName(),
                event.attempt(),
                createdAt));
        String outcome = event.result() != null
                ? event.result().verdict().name()
                : event.status().name();
        store.attemptEnded(event.jobId(), event.attempt(), event.at(), outcome, event.error());
        update(event.jobId(), job -> {
            if (isStale(job, event.attempt())) {
                return null;
            }
            JobError error = event.error();
            if (event.status() == JobStatus.FAILED && error != null && error.retryable()) {
                if (job.canRetry()) {
                    return job.retrying(error, event.at().plus(retries.backoff(job.attempt())));
                }
            }
            JobStatus end = job.cancelRequestedAt() != null && event.status() == JobStatus.FAILED
                    ? JobStatus.CANCELED
                    : event.status();
            Instant startedAt = event.timing() != null ? event.timing().startedAt() : null;
            return job.ended(end, event.result(), error, event.timing(), startedAt, event.at());
        });
    }

    /**
     * An event of an attempt that is over: an earlier attempt's (retried since), or any attempt's once the job
     * ended or waits for its next attempt.
     */
    private static boolean isStale(JobRecord job, int attempt) {
        return attempt < job.attempt() || job.status().isTerminal() || job.status() == JobStatus.RETRYING;
    }

    /** Reads the job, lets {@code decide} change it (null: no change), saves; reads again when the save lost a race. */
    private void update(UUID jobId, Function<JobRecord, @Nullable JobRecord> decide) {
        for (int round = 1; ; round++) {
            JobRecord job = store.find(jobId).orElseThrow();
            JobRecord changed = decide.apply(job);
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
        store.output(chunk.jobId(), chunk.attempt(), chunk.seq(), chunk.stream().wireName(), chunk.data(), chunk.at());
    }

    void heartbeat(WorkerHeartbeat beat) {
        jdbc.sql("""
                        insert into workers (worker_id, started_at, last_seen, ready_sandboxes, busy_sandboxes, max_sandboxes)
                        values (?, ?, ?, ?, ?, ?)
                        on conflict (worker_id) do update
                        set started_at = excluded.started_at, last_seen = excluded.last_seen,
                            ready_sandboxes = excluded.ready_sandboxes, busy_sandboxes = excluded.busy_sandboxes,
                            max_sandboxes = excluded.max_sandboxes
                        where workers.last_seen <= excluded.last_seen
                        """)
                .params(
                        beat.workerId(),
                        Timestamp.from(beat.startedAt()),
                        Timestamp.from(beat.at()),
                        beat.readySandboxes(),
                        beat.busySandboxes(),
                        beat.maxSandboxes())
                .update();
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
