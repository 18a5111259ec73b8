package dev.paperpod.worker.jobs;

import dev.paperpod.agent.client.AgentException;
import dev.paperpod.agent.client.Cancellation;
import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Timing;
import dev.paperpod.worker.exec.ExecRunner;
import dev.paperpod.worker.exec.OutputSink;
import dev.paperpod.worker.sandbox.Sandbox;
import dev.paperpod.worker.sandbox.SandboxException;
import dev.paperpod.worker.sandbox.SandboxPools;
import dev.paperpod.worker.sandbox.SandboxesBusyException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one job from its envelope to its {@link JobFinished}: drops a sync job whose client has given up, claims a
 * warm sandbox, announces the start, runs, gives the sandbox back. Faults of PaperPod's own (no sandbox, the agent
 * lost) end the job FAILED with a retryable error; the user's code failing is a result.
 */
public final class JobProcessor {

    private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);

    private final SandboxPools pools;
    private final ExecRunner runner;
    private final JobEventPublisher events;
    private final JobCancels cancels;
    private final String workerId;
    private final Duration claimTimeout;
    private final Duration eventHold;
    private final RunReporter.Timer eventTimer;
    private final Clock clock;

    public JobProcessor(
            SandboxPools pools,
            ExecRunner runner,
            JobEventPublisher events,
            JobCancels cancels,
            String workerId,
            Duration claimTimeout,
            Duration eventHold,
            ScheduledExecutorService eventTimer,
            Clock clock) {
        this.pools = pools;
        this.runner = runner;
        this.events = events;
        this.cancels = cancels;
        this.workerId = workerId;
        this.claimTimeout = claimTimeout;
        this.eventHold = eventHold;
        this.eventTimer = (delay, task) -> eventTimer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        this.clock = clock;
    }

    /**
     * @param receivedAt when the worker took the job from Kafka
     * @param relayedAt when the outbox relay put an async job on Kafka, or null
     */
    public JobFinished process(JobEnvelope job, Instant receivedAt, @Nullable Instant relayedAt, EndRecorder recorder)
            throws InterruptedException {
        MDC.put("jobId", job.jobId().toString());
        try {
            if (job.expiresAt() != null && receivedAt.isAfter(job.expiresAt())) {
                return recorded(
                        recorder,
                        finished(
                                job,
                                JobStatus.CANCELED,
                                null,
                                new JobError(
                                        "EXPIRED", "the client stopped waiting before a worker took the job", false),
                                null));
            }
            if (cancels.isCanceled(job.jobId())) {
                return recorded(
                        recorder,
                        finished(
                                job,
                                JobStatus.CANCELED,
                                null,
                                new JobError("CANCELED", "canceled by the client before it ran", false),
                                null));
            }
            Sandbox sandbox;
            try {
                sandbox = claim(job);
            } catch (SandboxException e) {
                log.error("No sandbox for job {}: {}", job.jobId(), e.getMessage());
                return recorded(
                        recorder,
                        finished(
                                job,
                                JobStatus.FAILED,
                                null,
                                new JobError("SANDBOX_UNAVAILABLE", e.getMessage(), true),
                                null));
            }
            Instant claimedAt = clock.instant();
            JobFinished finished = null;
            boolean released = false;
            try {
                MDC.put("sandboxId", sandbox.id());
                RunReporter report = RunReporter.begin(
                        new JobStarted(
                                UUID.randomUUID(),
                                job.jobId(),
                                claimedAt,
                                job.accountId(),
                                job.kind(),
                                job.source(),
                                job.attempt(),
                                workerId,
                                sandbox.id()),
                        eventHold,
                        events,
                        eventTimer,
                        clock);
                finished = run(job, sandbox, report, receivedAt, relayedAt, claimedAt);
                JobEvent end = report.end(finished);
                if (job.source() == JobSource.ASYNC) {
                    // Nobody waits on a background job's end as closely as on its sandbox: the reset runs while
                    // the end record travels (its producer lingers, see KafkaJobEventPublisher).
                    released = true;
                    try {
                        release(job, sandbox, finished);
                    } catch (RuntimeException e) {
                        // its end must still be recorded, or the job would be run again
                        log.warn(
                                "Could not give sandbox {} back after job {}: {}",
                                sandbox.id(),
                                job.jobId(),
                                e.toString());
                    }
                }
                // A sync job is recorded (and its client answered) before the reset competes for the CPU.
                recorder.record(end, finished);
                return finished;
            } finally {
                if (!released) {
                    release(job, sandbox, finished);
                }
                MDC.remove("sandboxId");
            }
        } finally {
            MDC.remove("jobId");
        }
    }

    /** Reused (after a verified reset) only when the run ended as the agent reported it. */
    private void release(JobEnvelope job, Sandbox sandbox, @Nullable JobFinished finished) {
        pools.release(egress(job), sandbox, job.accountId(), finished != null && finished.result() != null);
    }

    /**
     * A sandbox for the job. A sync job's client waits, so its claim gives up after the claim timeout; a background
     * job waits for as long as the pool is only full — the jobs ahead of it end within their own timeouts — and
     * fails only when sandboxes cannot be made, when it is canceled meanwhile, or when the worker stops.
     */
    private Sandbox claim(JobEnvelope job) {
        while (true) {
            try {
                return pools.claim(egress(job), job.accountId(), claimTimeout);
            } catch (SandboxesBusyException e) {
                if (job.source() != JobSource.ASYNC
                        || cancels.isCanceled(job.jobId())
                        || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                log.info("Job {} still waits for a sandbox: {}", job.jobId(), e.getMessage());
            }
        }
    }

    private JobFinished run(
            JobEnvelope job,
            Sandbox sandbox,
            RunReporter report,
            Instant receivedAt,
            @Nullable Instant relayedAt,
            Instant claimedAt) {
        ExecSpec spec = (ExecSpec) job.spec();
        // A sync client gets the output in the reply; background jobs, and sync ones whose client streams, as events.
        OutputSink output = job.streamsOutput() ? report : OutputSink.NONE;
        Cancellation cancellation = cancels.begin(job.jobId());
        try {
            ExecRunner.Run run = runner.run(sandbox, spec, output, cancellation);
            Timing timing =
                    new Timing(job.submittedAt(), relayedAt, receivedAt, claimedAt, run.startedAt(), run.finishedAt());
            return finished(job, statusOf(run.result()), run.result(), null, timing);
        } catch (Cancellation.CanceledException e) {
            log.info("Job {} canceled while it ran in sandbox {}", job.jobId(), sandbox.id());
            return finished(
                    job,
                    JobStatus.CANCELED,
                    null,
                    new JobError("CANCELED", "canceled by the client while it ran; its processes were killed", false),
                    null);
        } catch (AgentException e) {
            log.error("The agent of sandbox {} refused job {}: {}", sandbox.id(), job.jobId(), e.getMessage());
            return finished(
                    job, JobStatus.FAILED, null, new JobError("AGENT_" + e.code(), e.getMessage(), false), null);
        } catch (IOException e) {
            log.error("Lost the agent of sandbox {} running job {}: {}", sandbox.id(), job.jobId(), e.toString());
            return finished(
                    job,
                    JobStatus.FAILED,
                    null,
                    new JobError("SANDBOX_LOST", "the sandbox stopped answering: " + e.getMessage(), true),
                    null);
        } finally {
            cancels.end(job.jobId());
        }
    }

    /**
     * Publishes a job's end: its record on the events topic ({@code job.finished}, or {@code job.ran} for a short
     * run), and for a sync job the reply its client waits for.
     */
    @FunctionalInterface
    public interface EndRecorder {
        void record(JobEvent end, JobFinished finished) throws InterruptedException;
    }

    /** The end of a job that never reached a sandbox: its {@code job.finished} is all there is to say. */
    private static JobFinished recorded(EndRecorder recorder, JobFinished finished) throws InterruptedException {
        recorder.record(finished, finished);
        return finished;
    }

    private static Egress egress(JobEnvelope job) {
        return job.spec() instanceof ExecSpec exec ? exec.network() : Egress.NONE;
    }

    /** A program that ran is a result, whatever its exit code; only the way it ended decides the status. */
    static JobStatus statusOf(ExecResult result) {
        return switch (result.verdict()) {
            case OK -> JobStatus.SUCCEEDED;
            case TIMEOUT -> JobStatus.TIMED_OUT;
            case MEMORY_LIMIT, OUTPUT_LIMIT, PIDS_LIMIT, KILLED, ERROR -> JobStatus.FAILED;
        };
    }

    private JobFinished finished(
            JobEnvelope job,
            JobStatus status,
            @Nullable ExecResult result,
            @Nullable JobError error,
            @Nullable Timing timing) {
        return new JobFinished(
                UUID.randomUUID(),
                job.jobId(),
                clock.instant(),
                job.accountId(),
                job.kind(),
                job.source(),
                job.attempt(),
                status,
                result,
                error,
                timing);
    }
}
