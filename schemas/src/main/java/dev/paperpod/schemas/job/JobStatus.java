package dev.paperpod.schemas.job;

/** Where a job is in its life. The terminal ones never change again. */
public enum JobStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELED;

    public boolean isTerminal() {
        return this != QUEUED && this != RUNNING;
    }
}
