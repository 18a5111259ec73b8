package dev.paperpod.worker.sleep;

import dev.paperpod.launcher.sleep.SleepKind;
import dev.paperpod.launcher.sleep.SleepResult;
import dev.paperpod.launcher.sleep.SleepSpec;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.worker.jobs.JobFailure;
import dev.paperpod.worker.jobs.JobRunner;
import dev.paperpod.worker.jobs.OutputSink;
import dev.paperpod.worker.jobs.RunCancellation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The test kind's runner: {@value #SLOTS} slots per worker, its own capacity apart from the sandboxes. A run prints a
 * line, waits its time unless canceled, and answers.
 */
@Component
class SleepRunner implements JobRunner {

    static final int SLOTS = 2;
    private static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(1);

    private final Semaphore slots = new Semaphore(SLOTS);
    private final Clock clock;

    SleepRunner(Clock clock) {
        this.clock = clock;
    }

    @Override
    public JobKind kind() {
        return SleepKind.KIND;
    }

    @Override
    public int concurrency() {
        return 4;
    }

    @Override
    public int syncConcurrency() {
        return 2;
    }

    @Override
    public WorkerHeartbeat.Capacity capacity() {
        int ready = slots.availablePermits();
        return new WorkerHeartbeat.Capacity(SleepKind.KIND, ready, SLOTS - ready, SLOTS);
    }

    @Override
    public Lease claim(JobEnvelope job) throws JobFailure {
        try {
            if (!slots.tryAcquire(CLAIM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new JobFailure.Busy("SLOTS_BUSY", "every sleep slot of this worker is busy");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobFailure("INTERRUPTED", "the worker is stopping", true, e);
        }
        return new Lease() {
            @Override
            public String id() {
                return "sleep-slot";
            }

            @Override
            public Ran run(JobEnvelope job, OutputSink output, RunCancellation cancellation) throws JobFailure {
                SleepSpec spec = (SleepSpec) job.spec();
                if (job.attempt() <= spec.failAttempts()) {
                    throw new JobFailure("SLEEP_FAULT", "attempt " + job.attempt() + " fails, as asked", true);
                }
                Instant started = clock.instant();
                output.accept(JobOutput.Stream.STDOUT, "sleeping " + spec.echo() + "\n");
                CountDownLatch stop = new CountDownLatch(1);
                cancellation.onCancel(stop::countDown);
                try {
                    if (stop.await(spec.sleepMs(), TimeUnit.MILLISECONDS)) {
                        throw new JobFailure("CANCELED", "canceled while it slept", false);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new JobFailure("INTERRUPTED", "the worker is stopping", true, e);
                }
                Instant finished = clock.instant();
                return new Ran(
                        JobStatus.SUCCEEDED,
                        new SleepResult(
                                spec.echo(), Duration.between(started, finished).toMillis(), job.attempt()),
                        started,
                        finished);
            }

            @Override
            public void release(boolean reusable) {
                slots.release();
            }
        };
    }
}
