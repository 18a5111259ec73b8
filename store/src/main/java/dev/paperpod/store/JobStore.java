package dev.paperpod.store;

import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobSpec;
import dev.paperpod.schemas.job.JobStatus;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Jobs in PostgreSQL. Status changes are made on a {@link JobRecord} (which asks the state machine) and written
 * with {@link #save}, which fails when the row changed in between; the caller reads again and decides again.
 */
public interface JobStore {

    /** PostgreSQL channel notified with the job id when a save makes a job terminal (on commit). */
    String FINISHED_CHANNEL = "paperpod_job_finished";

    /** PostgreSQL channel notified with the job id on every change of a job, output included (on commit). */
    String ACTIVITY_CHANNEL = "paperpod_job_activity";

    /**
     * Stores output chunks of running jobs (each once: a replayed chunk changes nothing) and announces them; a chunk
     * of a job not recorded (yet) is skipped.
     */
    void outputs(List<Output> chunks);

    /** A chunk of a job's output: {@code seq} counts the attempt's chunks, {@code stream} is its wire name. */
    record Output(UUID jobId, int attempt, long seq, String stream, String data, Instant at) {}

    /** Stores a new job; it must not exist yet. */
    void insert(JobRecord job);

    /** Stores many new jobs of one batch in one statement (a batch of 10,000 takes well under a second). */
    void insertBatch(List<JobRecord> jobs, UUID batchId);

    /** Stores the job unless a row with its id exists (events of a sync job may come before its queued event). */
    void insertIfAbsent(JobRecord job);

    /** {@link #insertIfAbsent} and {@link #find} in one round trip: the stored job, {@code job} if it was absent. */
    JobRecord insertIfAbsentAndFind(JobRecord job);

    /** {@link #insertIfAbsentAndFind} for many jobs in one round trip, by id. */
    Map<UUID, JobRecord> insertIfAbsentAndFindAll(List<JobRecord> jobs);

    /**
     * {@link #insertIfAbsentAndFindAll}, and in the same round trip records the ids of events being applied (table
     * {@code processed_events}): a projector applies an event's effects only the first time its id is recorded.
     */
    Arrivals recordEventsAndFindAll(Collection<UUID> eventIds, List<JobRecord> jobs);

    /**
     * @param fresh the event ids recorded now for the first time
     * @param jobs the stored jobs by id
     */
    record Arrivals(Set<UUID> fresh, Map<UUID, JobRecord> jobs) {}

    /**
     * A sync job's spec and submission time, from its {@code job.queued} event: its row may have been made before
     * from its worker's events, which carry neither. A spec already stored stays; the earlier time wins.
     */
    void recordSpec(UUID jobId, JobSpec spec, Instant submittedAt);

    Optional<JobRecord> find(UUID jobId);

    /** The job's attempts, in order. */
    List<Attempt> attempts(UUID jobId);

    /**
     * An attempt as recorded.
     *
     * @param sandboxId where it ran, as its runner named it
     * @param finishedAt null while it runs
     * @param outcome how it ended: its result's outcome (an exec run's verdict), its status, or {@code LOST}
     */
    record Attempt(
            int attempt,
            String workerId,
            @Nullable String sandboxId,
            Instant startedAt,
            @Nullable Instant finishedAt,
            @Nullable String outcome,
            @Nullable JobError error) {}

    /** The job's output chunks after chunk {@code afterSeq} of attempt {@code fromAttempt}, in order. */
    List<Output> output(UUID jobId, int fromAttempt, long afterSeq);

    /**
     * A page of an account's jobs, newest first.
     *
     * @param statuses only these; all when empty
     * @param kind only this kind (wire name), or all
     * @param batchId only this batch's jobs, or all
     * @param after the last job of the previous page, or null for the first page
     * @param limit at most this many
     */
    List<JobRecord> list(
            UUID accountId,
            Set<JobStatus> statuses,
            @Nullable String kind,
            @Nullable UUID batchId,
            @Nullable Position after,
            int limit);

    /** Where a page ended: the creation time and id of its last job (ids break ties). */
    record Position(Instant createdAt, UUID id) {}

    /**
     * Writes {@code job} if the row is still at {@code job.version()}. A terminal job is announced on
     * {@link #FINISHED_CHANNEL} when the transaction commits, so long polls answer at once.
     *
     * @return the job as saved, at the next version
     * @throws ConcurrentJobModificationException when the row is at another version
     */
    JobRecord save(JobRecord job);

    /**
     * {@link #save} for many jobs (distinct ones), with what their ends cause (webhook deliveries, batches complete)
     * and their announcements, in one round trip.
     *
     * @return the jobs not written because their row is at another version: read them again and decide again
     */
    List<JobRecord> saveAll(List<JobRecord> jobs);

    /**
     * Marks complete every batch none of whose jobs is left to end (a save that ends a batch's last job does it too;
     * this catches two last jobs ending in concurrent transactions). Returns how many it marked.
     */
    int completeBatches(Instant now);

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

    /**
     * {@link #attemptStarted} and {@link #attemptEnded}, for runs each reported in one record, and {@link #outputs}
     * of them, all in one statement.
     */
    void attemptsRan(List<AttemptRan> attempts, List<Output> output);

    /** An attempt that started and ended, as {@link #attemptStarted} and {@link #attemptEnded} take them. */
    record AttemptRan(
            UUID jobId,
            int attempt,
            String workerId,
            @Nullable String sandboxId,
            Instant startedAt,
            Instant endedAt,
            String outcome,
            @Nullable JobError error) {}
}
