package dev.paperpod.schemas.job;

/**
 * Where a job is in its life. The terminal ones never change again; {@link JobStateMachine} owns which moves are
 * allowed.
 */
public enum JobStatus {
    /** Accepted and durable, waiting for a worker. */
    QUEUED,
    /** A worker took it and its program runs. */
    RUNNING,
    /** An attempt ended in an infrastructure fault; the next one is scheduled after a backoff. */
    RETRYING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELED;

    public boolean isTerminal() {
        return this != QUEUED && this != RUNNING && this != RETRYING;
    }
}
