package dev.paperpod.store;

import dev.paperpod.schemas.job.JobError;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Jobs in PostgreSQL. Status changes are made on a {@link JobRecord} (which asks the state machine) and written
 * with {@link #save}, which fails when the row changed in between; the caller reads again and decides again.
 */
public interface JobStore {

    /** PostgreSQL channel notified with the job id when a save makes a job terminal (on commit). */
    String FINISHED_CHANNEL = "paperpod_job_finished";

    /** Stores a new job; it must not exist yet. */
    void insert(JobRecord job);

    /** Stores the job unless a row with its id exists (events of a sync job may come before its queued event). */
    void insertIfAbsent(JobRecord job);

    Optional<JobRecord> find(UUID jobId);

    /**
     * Writes {@code job} if the row is still at {@code job.version()}. A terminal job is announced on
     * {@link #FINISHED_CHANNEL} when the transaction commits, so long polls answer at once.
     *
     * @return the job as saved, at the next version
     * @throws ConcurrentJobModificationException when the row is at another version
     */
    JobRecord save(JobRecord job);

    /** RETRYING jobs due by {@code now}, oldest first, locked for this transaction (others skip them). */
    List<JobRecord> dueRetries(Instant now, int limit);

    /**
     * RUNNING jobs whose worker has not been heard of since {@code seenBefore} (or never), and that have not changed
     * since then either; locked for this transaction.
     */
    List<JobRecord> runningOnSilentWorkers(Instant seenBefore, int limit);

    /** RUNNING jobs started more than their own timeout plus {@code graceMs} before {@code now}; locked. */
    List<JobRecord> runningPastDeadline(Instant now, long graceMs, int limit);

    /** Notes that an attempt started (again, when a redelivered record reached another worker). */
    void attemptStarted(UUID jobId, int attempt, String workerId, @Nullable String sandboxId, Instant at);

    /** Notes how an attempt ended; an attempt already ended keeps its first end. */
    void attemptEnded(UUID jobId, int attempt, Instant at, String outcome, @Nullable JobError error);
}
