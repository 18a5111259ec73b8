package dev.paperpod.store;

import dev.paperpod.schemas.job.JobEnvelope;

/**
 * The transactional outbox: a job written here, in the same transaction as its row, reaches
 * {@code paperpod.jobs.<kind>} once the transaction commits (Debezium's outbox event router relays it), and never
 * if it rolls back.
 */
public interface Outbox {

    /** Hands the job (this attempt of it) to the workers when the caller's transaction commits, keyed by its id. */
    default void enqueue(JobEnvelope job) {
        enqueue(job, job.jobId().toString());
    }

    /**
     * Hands the job to the workers with the record key {@code key}, which picks its partition (Kafka's default
     * partitioner: murmur2 of the key).
     */
    void enqueue(JobEnvelope job, String key);
}
