package dev.paperpod.store;

import dev.paperpod.schemas.job.JobEnvelope;
import java.util.List;

/**
 * The transactional outbox: a job written here, in the same transaction as its row, reaches
 * {@code paperpod.jobs.<kind>} once the transaction commits (Debezium's outbox event router relays it), and never
 * if it rolls back.
 */
public interface Outbox {

    /** Hands jobs (this attempt of each) to the workers when the caller's transaction commits, in this order. */
    void enqueue(List<Entry> jobs);

    /**
     * As {@link #enqueue}, in one row for all of them ({@link #GROUPED_TYPE}, its payload a JSON array of
     * {@link Entry}): one change for the relay to read instead of one per job. Only PaperPod's own relay splits such a
     * row into a record per job; Debezium on Kafka Connect would forward it whole, so there {@link #enqueue} it is.
     */
    void enqueueGrouped(List<Entry> jobs);

    /**
     * Names the database the outbox is in (PostgreSQL's system identifier): a relay keeps its position per database, so
     * one read from another database (a new cluster under the same name) is never taken for this one's.
     */
    String databaseIdentity();

    /** The {@code type} of an outbox row that carries several jobs. */
    String GROUPED_TYPE = "jobs.submitted";

    /**
     * A job and its record key, which picks its partition (Kafka's default partitioner: murmur2 of the key).
     */
    record Entry(JobEnvelope job, String key) {}
}
