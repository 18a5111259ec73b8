package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobResult;
import dev.paperpod.schemas.job.JobStatus;
import java.time.Instant;

/**
 * Runs the jobs of one kind on this worker: a Spring bean of the worker's context, one per kind. The worker takes each
 * runner's jobs from the kind's own topics ({@link JobConsumers}) and reports its capacity in heartbeats, so the
 * dispatcher hands on the kind's jobs within it. {@link JobProcessor} owns a job's life around the runner — expiry,
 * cancel, its events, its end — and the runner knows what a job of its kind needs and how to run it.
 */
public interface JobRunner {

    JobKind kind();

    /** Background jobs of this kind run at once here: the runner threads of its consumer. */
    int concurrency();

    /** Sync jobs of this kind taken at once here: the listener threads of its sync topic. */
    int syncConcurrency();

    /** What this worker has for the kind right now: ready for a job, busy with one, and at most. */
    WorkerHeartbeat.Capacity capacity();

    /**
     * Takes what the job needs to run (a sandbox, a browser), waiting up to the runner's own claim timeout.
     *
     * @throws JobFailure.Busy when all of it is in use by other jobs and nothing failed: a background job asks again
     *     (the jobs ahead end within their own timeouts), a sync job's client is told
     * @throws JobFailure when it cannot be had
     */
    Lease claim(JobEnvelope job) throws JobFailure;

    /** What one job holds while it runs; given back exactly once, by {@link #release}. */
    interface Lease {

        /** Where the job runs, as its {@code job.started} names it: a sandbox id, say. */
        String id();

        /**
         * Runs the job. The output goes to {@code output} as it comes (besides the result); {@code cancellation} is
         * told what stops the run, and a run stopped that way throws.
         *
         * @throws JobFailure when PaperPod could not run it to its end (the user's own failure is a result)
         */
        Ran run(JobEnvelope job, OutputSink output, RunCancellation cancellation) throws JobFailure;

        /** @param reusable whether the run ended as reported, so what it held may serve another job (after a reset) */
        void release(boolean reusable);
    }

    /**
     * A run that reached its end.
     *
     * @param status a terminal status, decided by the kind from how the run ended
     * @param startedAt when the work itself started (the program, the page load)
     */
    record Ran(JobStatus status, JobResult result, Instant startedAt, Instant finishedAt) {

        public Ran {
            if (!status.isTerminal()) {
                throw new IllegalArgumentException("a run ends in a terminal status, not " + status);
            }
        }
    }
}
