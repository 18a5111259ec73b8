package dev.paperpod.schemas;

import dev.paperpod.schemas.job.JobKind;

/** Kafka topic names. Every producer and consumer takes its topic from here. */
public final class Topics {

    /** Events of every job (queued, started, output, finished), keyed by job id so each job's events stay in order. */
    public static final String JOB_EVENTS = "paperpod.job.events";

    /** Worker heartbeats, keyed by worker id. */
    public static final String WORKERS = "paperpod.workers";

    /** Prefix of the per-API-instance reply topics of the synchronous path. */
    public static final String REPLIES_PREFIX = "paperpod.replies.";

    private static final String JOBS_PREFIX = "paperpod.jobs.";

    private Topics() {}

    /** The topic jobs of one kind are queued on: {@code paperpod.jobs.<kind>}, keyed by job id. */
    public static String jobs(JobKind kind) {
        return JOBS_PREFIX + kind.wireName();
    }
}
