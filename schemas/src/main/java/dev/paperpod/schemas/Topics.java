package dev.paperpod.schemas;

import dev.paperpod.schemas.job.JobKind;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * Every shared topic with its partition count. A job topic's partitions bound how many workers share its
     * load, so they are sized for the largest worker fleet expected.
     */
    public static List<Definition> definitions() {
        List<Definition> all = new ArrayList<>();
        for (JobKind kind : JobKind.values()) {
            all.add(new Definition(jobs(kind), 8));
        }
        all.add(new Definition(JOB_EVENTS, 8));
        all.add(new Definition(WORKERS, 1));
        return List.copyOf(all);
    }

    /** A topic and its partition count. */
    public record Definition(String name, int partitions) {}
}
