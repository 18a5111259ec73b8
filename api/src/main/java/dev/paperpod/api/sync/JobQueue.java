package dev.paperpod.api.sync;

import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.job.JobEnvelope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Where synchronous jobs go: straight to the workers, with the caller waiting for the outcome. */
public interface JobQueue {

    /**
     * Queues a job and completes with its outcome, or exceptionally with {@link NoReplyException} when no worker
     * answers within {@code wait}.
     */
    CompletableFuture<JobFinished> submitAndAwait(JobEnvelope job, Duration wait);

    /** The same, for a job that must run on one worker: in an account's sandbox that {@code workerId} hosts. */
    CompletableFuture<JobFinished> submitToWorkerAndAwait(JobEnvelope job, String workerId, Duration wait);

    /** No outcome arrived in time. */
    final class NoReplyException extends RuntimeException {
        public NoReplyException(Duration wait, Throwable cause) {
            super("no worker answered within " + wait.toSeconds() + " s", cause);
        }
    }
}
