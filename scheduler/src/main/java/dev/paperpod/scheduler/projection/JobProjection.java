package dev.paperpod.scheduler.projection;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobQueued;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.JobEnvelope;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Applies job events to PostgreSQL. Every method is idempotent and tolerates any order: an event may arrive twice
 * (at-least-once delivery), and a sync job's {@code job.queued}, produced by the API, may arrive after the
 * worker's {@code job.started}. A terminal status is never overwritten.
 */
@Repository
class JobProjection {

    static final String FINISHED_CHANNEL = "paperpod_job_finished";

    private final JdbcClient jdbc;

    JobProjection(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Records the event id; false when it was recorded before, and its effect must not be applied again. */
    boolean firstTime(UUID eventId) {
        return jdbc.sql("insert into processed_events (event_id) values (?) on conflict do nothing")
                        .param(eventId)
                        .update()
                == 1;
    }

    void queued(JobQueued event) {
        JobEnvelope job = event.job();
        jdbc.sql("""
                        insert into jobs (id, account_id, kind, source, status, spec, created_at)
                        values (?, ?, ?, ?, 'QUEUED', ?::jsonb, ?)
                        on conflict (id) do update set spec = coalesce(jobs.spec, excluded.spec),
                                                       created_at = least(jobs.created_at, excluded.created_at)
                        """)
                .params(
                        job.jobId(),
                        job.accountId(),
                        job.kind().wireName(),
                        job.source().wireName(),
                        Wire.writeString(job.spec()),
                        ts(job.submittedAt()))
                .update();
    }

    void started(JobStarted event) {
        ensureJob(
                event.jobId(),
                event.accountId(),
                event.kind().wireName(),
                event.source().wireName(),
                event.at());
        jdbc.sql("""
                        update jobs set status = 'RUNNING', started_at = coalesce(started_at, ?),
                                        attempts = greatest(attempts, ?), version = version + 1, updated_at = now()
                        where id = ? and status in ('QUEUED', 'RUNNING')
                        """).params(ts(event.at()), event.attempt(), event.jobId()).update();
        jdbc.sql("""
                        insert into job_attempts (job_id, attempt, worker_id, sandbox_id, started_at)
                        values (?, ?, ?, ?, ?) on conflict do nothing
                        """)
                .params(event.jobId(), event.attempt(), event.workerId(), event.sandboxId(), ts(event.at()))
                .update();
    }

    void finished(JobFinished event) {
        Instant createdAt = event.timing() != null ? event.timing().submittedAt() : event.at();
        ensureJob(
                event.jobId(),
                event.accountId(),
                event.kind().wireName(),
                event.source().wireName(),
                createdAt);
        Instant startedAt = event.timing() != null ? event.timing().startedAt() : null;
        int changed = jdbc.sql("""
                        update jobs set status = ?, result = ?::jsonb, error = ?::jsonb, timing = ?::jsonb,
                                        started_at = coalesce(started_at, ?), finished_at = ?,
                                        attempts = greatest(attempts, ?), version = version + 1, updated_at = now()
                        where id = ? and status in ('QUEUED', 'RUNNING')
                        """)
                .params(
                        event.status().name(),
                        json(event.result()),
                        json(event.error()),
                        json(event.timing()),
                        startedAt == null ? null : ts(startedAt),
                        ts(event.at()),
                        event.attempt(),
                        event.jobId())
                .update();
        jdbc.sql("""
                        update job_attempts set finished_at = ?, verdict = ?, error = ?::jsonb
                        where job_id = ? and attempt = ? and finished_at is null
                        """)
                .params(
                        ts(event.at()),
                        event.result() != null
                                ? event.result().verdict().name()
                                : event.status().name(),
                        json(event.error()),
                        event.jobId(),
                        event.attempt())
                .update();
        if (changed > 0) {
            // Delivered when this transaction commits: long polls answer as soon as the end is visible.
            jdbc.sql("select pg_notify(?, ?)")
                    .params(FINISHED_CHANNEL, event.jobId().toString())
                    .query()
                    .listOfRows();
        }
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
                        ts(beat.startedAt()),
                        ts(beat.at()),
                        beat.readySandboxes(),
                        beat.busySandboxes(),
                        beat.maxSandboxes())
                .update();
    }

    /** A sync job may be known only from a worker's events: give it a row, without a spec. */
    private void ensureJob(UUID jobId, UUID accountId, String kind, String source, Instant createdAt) {
        jdbc.sql("""
                        insert into jobs (id, account_id, kind, source, status, created_at)
                        values (?, ?, ?, ?, 'QUEUED', ?) on conflict (id) do nothing
                        """).params(jobId, accountId, kind, source, ts(createdAt)).update();
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }

    private static @Nullable String json(@Nullable Object value) {
        return value == null ? null : Wire.writeString(value);
    }
}
