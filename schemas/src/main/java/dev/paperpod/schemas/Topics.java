package dev.paperpod.schemas;

import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobKindContract;
import dev.paperpod.schemas.job.JobKinds;
import java.util.ArrayList;
import java.util.List;

/** Kafka topic names. Every producer and consumer takes its topic from here. */
public final class Topics {

    /** Events of every job (queued, started, output, finished), keyed by job id so each job's events stay in order. */
    public static final String JOB_EVENTS = "paperpod.job.events";

    /** Worker heartbeats, keyed by worker id. */
    public static final String WORKERS = "paperpod.workers";

    /** Cancels, read by every worker (each in its own consumer group); one partition keeps them in order. */
    public static final String JOB_CONTROL = "paperpod.job.control";

    /** Suffix of a topic's dead-letter topic: records no consumer could process, kept for people to look at. */
    public static final String DEAD_LETTER_SUFFIX = ".dlt";

    /** Prefix of the per-worker topics of account sandboxes ({@link #sandbox}). */
    public static final String SANDBOX_PREFIX = "paperpod.sandbox.";

    /**
     * The header that tells the records of a worker's sandbox topic apart: {@link #SANDBOX_JOB} (an exec job in an
     * account's sandbox, a {@code JobEnvelope}) or {@link #SANDBOX_COMMAND} (a {@code SandboxCommand}).
     */
    public static final String SANDBOX_RECORD_HEADER = "paperpod-record";

    public static final String SANDBOX_JOB = "job";

    public static final String SANDBOX_COMMAND = "command";

    /** Prefix of the per-API-instance reply topics of the synchronous path. */
    public static final String REPLIES_PREFIX = "paperpod.replies.";

    /**
     * The largest record on any PaperPod topic: a result carries up to 1 MiB of output, which JSON escaping can
     * grow several times. Producers ({@code max.request.size}) and topics ({@code max.message.bytes}) are set to
     * it; anything bigger belongs in an artifact store, referenced from the message.
     */
    public static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    private static final String JOBS_PREFIX = "paperpod.jobs.";

    private Topics() {}

    /**
     * The topic background jobs of one kind go to: {@code paperpod.jobs.<kind>}. The dispatcher picks each record's
     * partition (through its key), the one with the fewest jobs in flight, so the kind's jobs spread over the workers
     * that hold its partitions; a worker runs its partitions' jobs side by side (ADR 6).
     */
    public static String jobs(JobKind kind) {
        return JOBS_PREFIX + kind.wireName();
    }

    /**
     * The topic sync jobs of one kind go to, keyed by job id: {@code paperpod.jobs.<kind>.sync}. Apart from the
     * background jobs, so a client waiting on {@code /execute} never queues behind a long background job.
     */
    public static String syncJobs(JobKind kind) {
        return jobs(kind) + ".sync";
    }

    /**
     * The commands of the account sandboxes one worker hosts, and the exec jobs that run in them (ADR 8):
     * {@code paperpod.sandbox.<workerId>}, one partition, made by the worker at its start and read from its end.
     */
    public static String sandbox(String workerId) {
        return SANDBOX_PREFIX + workerId;
    }

    /** Where records of {@code topic} that could not be processed go: {@code <topic>.dlt}. */
    public static String deadLetters(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }

    /**
     * Every shared topic with its partition count, the job topics of every registered kind among them. A job topic's partitions bound how many workers share its
     * load, so they are sized for the largest worker fleet expected.
     */
    public static List<Definition> definitions() {
        List<Definition> all = new ArrayList<>();
        for (JobKindContract kind : JobKinds.all()) {
            all.add(new Definition(jobs(kind.kind()), 8));
            all.add(new Definition(syncJobs(kind.kind()), 8));
        }
        all.add(new Definition(JOB_EVENTS, 8));
        all.add(new Definition(WORKERS, 1));
        all.add(new Definition(JOB_CONTROL, 1));
        for (Definition consumed : List.copyOf(all)) {
            all.add(new Definition(deadLetters(consumed.name()), 1));
        }
        return List.copyOf(all);
    }

    /** A topic and its partition count. */
    public record Definition(String name, int partitions) {}
}
