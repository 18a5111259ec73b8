package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobResult;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Timing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one job of any kind from its envelope to its {@link JobFinished}: drops a sync job whose client has given up
 * or a job canceled meanwhile, has the kind's {@link JobRunner} claim what the job needs, announces the start, runs,
 * gives back what it held. PaperPod's own faults ({@link JobFailure}: nothing to run on, the sandbox lost) end the
 * job FAILED with the runner's error, retryable or not; the user's work failing is a result.
 */
public final class JobProcessor {

    private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);
    private static final JobError CANCELED_BEFORE_IT_RAN =
            new JobError("CANCELED", "canceled by the client before it ran", false);

    private final Map<JobKind, JobRunner> runners = new HashMap<>();
    private final JobEventPublisher events;
    private final JobCancels cancels;
    private final String workerId;
    private final Duration eventHold;
    private final RunReporter.Timer eventTimer;
    private final Clock clock;

    public JobProcessor(
            Collection<JobRunner> runners,
            JobEventPublisher events,
            JobCancels cancels,
            String workerId,
            Duration eventHold,
            ScheduledExecutorService eventTimer,
            Clock clock) {
        for (JobRunner runner : runners) {
            JobRunner before = this.runners.putIfAbsent(runner.kind(), runner);
            if (before != null) {
                throw new IllegalStateException("two runners of job kind '" + runner.kind() + "': "
                        + before.getClass().getName() + " and "
                        + runner.getClass().getName());
            }
        }
        this.events = events;
        this.cancels = cancels;
        this.workerId = workerId;
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
                        failed(
                                job,
                                JobStatus.CANCELED,
                                new JobError(
                                        "EXPIRED", "the client stopped waiting before a worker took the job", false)));
            }
            if (cancels.isCanceled(job.jobId())) {
                return recorded(recorder, failed(job, JobStatus.CANCELED, CANCELED_BEFORE_IT_RAN));
            }
            JobRunner runner = runners.get(job.kind());
            if (runner == null) {
                return recorded(
                        recorder,
                        failed(
                                job,
                                JobStatus.FAILED,
                                new JobError(
                                        "UNSUPPORTED_KIND",
                                        "worker " + workerId + " runs no jobs of kind '" + job.kind() + "'",
                                        false)));
            }
            JobRunner.Lease lease;
            try {
                lease = claim(runner, job);
            } catch (JobFailure e) {
                if (cancels.isCanceled(job.jobId())) {
                    return recorded(recorder, failed(job, JobStatus.CANCELED, CANCELED_BEFORE_IT_RAN));
                }
                log.error("Nothing to run job {} on: {}", job.jobId(), e.getMessage());
                return recorded(recorder, failed(job, JobStatus.FAILED, e.error()));
            }
            Instant claimedAt = clock.instant();
            JobFinished finished = null;
            boolean released = false;
            try {
                MDC.put("sandboxId", lease.id());
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
                                lease.id()),
                        eventHold,
                        events,
                        eventTimer,
                        clock);
                finished = run(job, lease, report, receivedAt, relayedAt, claimedAt);
                JobEvent end = report.end(finished);
                if (job.source() == JobSource.ASYNC) {
                    // Nobody waits on a background job's end as closely as on what it held: the reset runs while
                    // the end record travels (its producer lingers, see KafkaJobEventPublisher).
                    released = true;
                    try {
                        release(lease, finished);
                    } catch (RuntimeException e) {
                        // its end must still be recorded, or the job would be run again
                        log.warn("Could not give {} back after job {}: {}", lease.id(), job.jobId(), e.toString());
                    }
                }
                // A sync job is recorded (and its client answered) before the reset competes for the CPU.
                recorder.record(end, finished);
                return finished;
            } finally {
                if (!released) {
                    release(lease, finished);
                }
                MDC.remove("sandboxId");
            }
        } finally {
            MDC.remove("jobId");
        }
    }

    /** Reused (after a verified reset) only when the run ended as its runner reported it. */
    private static void release(JobRunner.Lease lease, @Nullable JobFinished finished) {
        lease.release(finished != null && finished.result() != null);
    }

    /**
     * What the job needs, from its runner. A sync job's client waits, so its claim gives up when the runner's does; a
     * background job waits for as long as the kind's capacity is only busy — the jobs ahead of it end within their own
     * timeouts — and fails only when nothing can be had, when it is canceled meanwhile, or when the worker stops.
     */
    private JobRunner.Lease claim(JobRunner runner, JobEnvelope job) throws JobFailure {
        for (int tries = 1; ; tries++) {
            try {
                return runner.claim(job);
            } catch (JobFailure.Busy e) {
                if (job.source() != JobSource.ASYNC
                        || cancels.isCanceled(job.jobId())
                        || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                if (tries == 1) {
                    log.info("Job {} waits: {}", job.jobId(), e.getMessage());
                } else {
                    log.debug("Job {} still waits ({} tries): {}", job.jobId(), tries, e.getMessage());
                }
            }
        }
    }

    private JobFinished run(
            JobEnvelope job,
            JobRunner.Lease lease,
            RunReporter report,
            Instant receivedAt,
            @Nullable Instant relayedAt,
            Instant claimedAt) {
        // A sync client gets the output in the reply; background jobs, and sync ones whose client streams, as events.
        OutputSink output = job.streamsOutput() ? report : OutputSink.NONE;
        RunCancellation cancellation = cancels.begin(job.jobId());
        try {
            JobRunner.Ran ran = lease.run(job, output, cancellation);
            Timing timing =
                    new Timing(job.submittedAt(), relayedAt, receivedAt, claimedAt, ran.startedAt(), ran.finishedAt());
            return finished(job, ran.status(), ran.result(), null, timing, lease.id());
        } catch (JobFailure e) {
            if (cancellation.isCanceled()) {
                log.info("Job {} canceled while it ran on {}", job.jobId(), lease.id());
                return finished(
                        job,
                        JobStatus.CANCELED,
                        null,
                        new JobError("CANCELED", "canceled by the client while it ran; its run was stopped", false),
                        null,
                        lease.id());
            }
            log.error("Job {} could not run to its end on {}: {}", job.jobId(), lease.id(), e.getMessage());
            return finished(job, JobStatus.FAILED, null, e.error(), null, lease.id());
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

    /** The end of a job that never reached a run: its {@code job.finished} is all there is to say. */
    private static JobFinished recorded(EndRecorder recorder, JobFinished finished) throws InterruptedException {
        recorder.record(finished, finished);
        return finished;
    }

    private JobFinished failed(JobEnvelope job, JobStatus status, JobError error) {
        return finished(job, status, null, error, null, null);
    }

    private JobFinished finished(
            JobEnvelope job,
            JobStatus status,
            @Nullable JobResult result,
            @Nullable JobError error,
            @Nullable Timing timing,
            @Nullable String sandboxId) {
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
                timing,
                sandboxId);
    }
}
