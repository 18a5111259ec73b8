package dev.paperpod.store;

import dev.paperpod.schemas.job.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Batches: many background jobs accepted together and followed as one. Their jobs are ordinary jobs with a batch id
 * ({@link JobStore#insertBatch}); a batch is complete when none of them is left to end.
 */
public interface BatchStore {

    /** Stores a new batch; its jobs go in with {@link JobStore#insertBatch} in the same transaction. */
    void insert(Batch batch);

    /** The batch, if the account has it. */
    Optional<Batch> find(UUID batchId, UUID accountId);

    /** How many of the batch's jobs are in each status, and when the first started and the last ended. */
    Progress progress(UUID batchId);

    /**
     * Marks the batch canceled (the first time only; a later cancel keeps the first time).
     *
     * @return false when the account has no such batch
     */
    boolean markCanceled(UUID batchId, UUID accountId, Instant at);

    /** The batch's jobs that have not ended, for a cancel to move one by one through their state machine. */
    List<JobRecord> unfinishedJobs(UUID batchId);

    /**
     * @param webhookUrl one of the account's endpoints, told when the last job has ended
     * @param completedAt when its last job ended
     */
    record Batch(
            UUID id,
            UUID accountId,
            int total,
            @Nullable String webhookUrl,
            Instant createdAt,
            @Nullable Instant canceledAt,
            @Nullable Instant completedAt) {}

    /** @param counts statuses with no job are absent */
    record Progress(
            Map<JobStatus, Long> counts,
            @Nullable Instant firstStartedAt,
            @Nullable Instant lastFinishedAt) {}
}
