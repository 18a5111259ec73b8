package dev.paperpod.store;

import dev.paperpod.schemas.job.JobEnvelope;
import java.util.List;

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
    default void enqueue(JobEnvelope job, String key) {
        enqueue(List.of(new Entry(job, key)));
    }

    /** Hands several jobs to the workers at once, in this order (one statement, however many). */
    void enqueue(List<Entry> jobs);

    /** A job and the record key it goes with. */
    record Entry(JobEnvelope job, String key) {}
}
