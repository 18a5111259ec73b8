package dev.paperpod.api.jobs;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Tells the API when a job has ended, so a long poll answers at once instead of polling the database. */
public interface JobCompletions {

    /**
     * Completes when the job may have ended: the caller then reads the job again. Also completes when
     * notifications may have been missed (a reconnect), so a waiter never hangs on a lost signal.
     */
    CompletableFuture<Void> next(UUID jobId);

    /** Gives up waiting, e.g. when the long poll timed out. */
    void cancel(UUID jobId, CompletableFuture<Void> waiter);
}
