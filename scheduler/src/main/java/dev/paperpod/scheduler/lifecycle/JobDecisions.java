package dev.paperpod.scheduler.lifecycle;

import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.store.JobRecord;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What becomes of a job when something happens to its attempt: it started, it ended, its worker was lost. Decided on
 * the job as read, without I/O, for the projector and the sweeper alike; a null answer means the job does not change
 * (the event is of an attempt that is over). The moves themselves are {@link JobRecord}'s, through the state machine.
 */
public final class JobDecisions {

    private final RetryPolicy retries;

    public JobDecisions(RetryPolicy retries) {
        this.retries = retries;
    }

    /** After attempt {@code started.attempt()} started on a worker. */
    public @Nullable JobRecord started(JobRecord job, JobStarted started) {
        if (isOver(job, started.attempt())) {
            return null;
        }
        return job.started(started.attempt(), started.workerId(), started.at());
    }

    /**
     * After the worker reported the attempt's end. A retryable fault with attempts left makes the job wait for its next
     * attempt; a run that failed after a cancel was asked for ends CANCELED; any other end is the job's.
     */
    public @Nullable JobRecord finished(JobRecord job, JobFinished end) {
        if (isOver(job, end.attempt())) {
            return null;
        }
        JobError error = end.error();
        if (end.status() == JobStatus.FAILED && error != null && error.retryable()) {
            return faulted(job, error, end.at());
        }
        JobStatus status =
                job.cancelRequestedAt() != null && end.status() == JobStatus.FAILED ? JobStatus.CANCELED : end.status();
        Instant startedAt = end.timing() != null ? end.timing().startedAt() : null;
        return job.ended(status, end.result(), error, end.timing(), startedAt, end.at());
    }

    /** After a short run's start (if {@code start}) and end (if {@code end}), reported together. */
    public @Nullable JobRecord ran(JobRecord job, JobStarted started, JobFinished end, boolean start, boolean finish) {
        JobRecord afterStart = start ? started(job, started) : null;
        JobRecord afterEnd = finish ? finished(afterStart != null ? afterStart : job, end) : null;
        return afterEnd != null ? afterEnd : afterStart;
    }

    /**
     * After an infrastructure fault ended the current attempt (the worker's own report, or its silence): the next
     * attempt after a backoff while attempts are left and no cancel was asked for; else CANCELED when one was, else
     * FAILED.
     */
    public JobRecord faulted(JobRecord job, JobError error, Instant at) {
        if (job.canRetry()) {
            return job.retrying(error, at.plus(retries.backoff(job.attempt())));
        }
        JobStatus end = job.cancelRequestedAt() != null ? JobStatus.CANCELED : JobStatus.FAILED;
        return job.ended(end, null, error, null, null, at);
    }

    /**
     * Whether an event of {@code attempt} comes too late to change the job: an earlier attempt's (retried since), or
     * any attempt's once the job ended or waits for its next attempt.
     */
    static boolean isOver(JobRecord job, int attempt) {
        return attempt < job.attempt() || job.status().isTerminal() || job.status() == JobStatus.RETRYING;
    }
}
