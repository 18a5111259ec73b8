package dev.paperpod.store;

import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobResult;
import dev.paperpod.schemas.job.JobSpec;
import dev.paperpod.schemas.job.JobStateMachine;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Timing;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job's row. Changes come only through the methods below, each of which asks {@link JobStateMachine} first; the
 * {@code version} it was read at is what {@link JobStore#save} checks.
 *
 * @param kind the job kind's wire name, e.g. {@code exec}
 * @param source {@code sync} or {@code async}
 * @param attempt the current (or last) attempt, 1 for the first run; 0 before a sync job's worker reported
 * @param maxAttempts how many attempts infrastructure faults may use up
 * @param workerId the worker running (or that last ran) the current attempt
 * @param nextAttemptAt while RETRYING, when the next attempt is due
 * @param cancelRequestedAt when a client asked to cancel a running job
 * @param spec null only for a sync job known from its worker's events alone
 * @param runAt not to be dispatched before then
 * @param dispatchedAt when the dispatcher handed the current attempt to Kafka; null while it waits
 */
public record JobRecord(
        UUID id,
        UUID accountId,
        String kind,
        String source,
        JobStatus status,
        int attempt,
        int maxAttempts,
        int version,
        @Nullable String workerId,
        @Nullable Instant nextAttemptAt,
        @Nullable Instant cancelRequestedAt,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        @Nullable JobSpec spec,
        @Nullable JobResult result,
        @Nullable JobError error,
        @Nullable Timing timing,
        JobPriority priority,
        @Nullable Instant runAt,
        @Nullable Instant dispatchedAt) {

    /**
     * A job that has not run yet, at version 0: the API's new background jobs ({@code dispatchedAt} null), or a sync
     * job first heard of from an event (already on Kafka, so dispatched).
     */
    public static JobRecord waiting(
            UUID id,
            UUID accountId,
            String kind,
            String source,
            int attempt,
            int maxAttempts,
            Instant createdAt,
            @Nullable JobSpec spec,
            JobPriority priority,
            @Nullable Instant runAt,
            @Nullable Instant dispatchedAt) {
        return new JobRecord(
                id,
                accountId,
                kind,
                source,
                JobStatus.QUEUED,
                attempt,
                maxAttempts,
                0,
                null,
                null,
                null,
                createdAt,
                null,
                null,
                spec,
                null,
                null,
                null,
                priority,
                runAt,
                dispatchedAt);
    }

    /** The same job as a save left it, one version on. */
    JobRecord saved() {
        return new JobRecord(
                id,
                accountId,
                kind,
                source,
                status,
                attempt,
                maxAttempts,
                version + 1,
                workerId,
                nextAttemptAt,
                cancelRequestedAt,
                createdAt,
                startedAt,
                finishedAt,
                spec,
                result,
                error,
                timing,
                priority,
                runAt,
                dispatchedAt);
    }

    public boolean isAsync() {
        return "async".equals(source);
    }

    /** Attempt {@code attempt} started on {@code worker}; a redelivered attempt on another worker only moves it. */
    public JobRecord started(int attempt, String worker, Instant at) {
        JobStatus next =
                status == JobStatus.RUNNING ? JobStatus.RUNNING : JobStateMachine.move(status, JobStatus.RUNNING);
        return new JobRecord(
                id,
                accountId,
                kind,
                source,
                next,
                attempt,
                maxAttempts,
                version,
                worker,
                null,
                cancelRequestedAt,
                createdAt,
                startedAt == null ? at : startedAt,
                null,
                spec,
                null,
                null,
                null,
                priority,
                runAt,
                dispatchedAt);
    }

    /** The job ended: {@code status} must be terminal. */
    public JobRecord ended(
            JobStatus end,
            @Nullable JobResult result,
            @Nullable JobError error,
            @Nullable Timing timing,
            @Nullable Instant startedAt,
            Instant at) {
        if (!end.isTerminal()) {
            throw new IllegalArgumentException("an end needs a terminal status, not " + end);
        }
        return new JobRecord(
                id,
                accountId,
                kind,
                source,
                JobStateMachine.move(status, end),
                attempt,
                maxAttempts,
                version,
                workerId,
                null,
                cancelRequestedAt,
                createdAt,
                this.startedAt != null ? this.startedAt : startedAt,
                at,
                spec,
                result,
                error,
                timing,
                priority,
                runAt,
                dispatchedAt);
    }

    /** The current attempt hit an infrastructure fault; the next is due at {@code due}. */
    public JobRecord retrying(JobError error, Instant due) {
        return new JobRecord(
                id,
                accountId,
                kind,
                source,
                JobStateMachine.move(status, JobStatus.RETRYING),
                attempt,
                maxAttempts,
                version,
                workerId,
                due,
                cancelRequestedAt,
                createdAt,
                startedAt,
                null,
                spec,
                null,
                error,
                null,
                priority,
                runAt,
                dispatchedAt);
    }

    /** Back in the queue for the next attempt, waiting for the dispatcher again. */
    public JobRecord requeued() {
        return new JobRecord(
                id,
                accountId,
                kind,
                source,
                JobStateMachine.move(status, JobStatus.QUEUED),
                attempt + 1,
                maxAttempts,
                version,
                null,
                null,
                cancelRequestedAt,
                createdAt,
                startedAt,
                null,
                spec,
                null,
                error,
                null,
                priority,
                runAt,
                null);
    }

    /**
     * A client asked to cancel the job: one that waits ends CANCELED now (with {@code why}); a running one is marked,
     * and its worker ends it CANCELED.
     *
     * @throws JobStateMachine.IllegalJobTransitionException when it has ended already
     */
    public JobRecord cancel(Instant at, String why) {
        if (status == JobStatus.RUNNING) {
            return cancelRequested(at);
        }
        return ended(JobStatus.CANCELED, null, new JobError("CANCELED", why, false), null, null, at);
    }

    /** A client asked to stop the running job; its worker ends it as CANCELED. */
    public JobRecord cancelRequested(Instant at) {
        return new JobRecord(
                id,
                accountId,
                kind,
                source,
                status,
                attempt,
                maxAttempts,
                version,
                workerId,
                nextAttemptAt,
                cancelRequestedAt == null ? at : cancelRequestedAt,
                createdAt,
                startedAt,
                finishedAt,
                spec,
                result,
                error,
                timing,
                priority,
                runAt,
                dispatchedAt);
    }

    /** Whether attempts are left for another try after an infrastructure fault. */
    public boolean canRetry() {
        return isAsync() && cancelRequestedAt == null && attempt < maxAttempts;
    }
}
