package dev.paperpod.scheduler.lifecycle;

import dev.paperpod.scheduler.SchedulerProperties;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.store.DispatchQueue;
import dev.paperpod.store.IdempotencyStore;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves jobs that no event will move:
 *
 * <ul>
 *   <li>RETRYING jobs whose backoff is over go back to the queue as their next attempt, for the dispatcher;
 *   <li>RUNNING jobs whose worker went silent (no heartbeat for {@code workerSilence}) lost their attempt: retried
 *       when attempts are left, else FAILED {@code WORKER_LOST} (CANCELED when a cancel was asked for);
 *   <li>RUNNING jobs far past their own timeout (the worker's kill is the first deadline, this the second) end
 *       TIMED_OUT {@code DEADLINE_EXCEEDED}.
 * </ul>
 *
 * It also forgets idempotency keys older than their retention.
 *
 * Rows are locked with {@code skip locked}, so several schedulers can sweep side by side, and the projector's
 * version-checked saves see the sweeper's changes rather than overwrite them.
 */
@Component
public class JobSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobSweeper.class);

    private final JobStore store;
    private final DispatchQueue queue;
    private final JobDecisions decide;
    private final TransactionTemplate tx;
    private final IdempotencyStore idempotencyKeys;
    private final SchedulerProperties.Lifecycle settings;
    private final Clock clock;
    private @Nullable ScheduledExecutorService timer;

    public JobSweeper(
            JobStore store,
            DispatchQueue queue,
            JobDecisions decide,
            TransactionTemplate tx,
            IdempotencyStore idempotencyKeys,
            SchedulerProperties properties,
            Clock clock) {
        this.store = store;
        this.queue = queue;
        this.decide = decide;
        this.tx = tx;
        this.idempotencyKeys = idempotencyKeys;
        this.settings = properties.lifecycle();
        this.clock = clock;
    }

    /** One pass over all three; returns how many jobs it moved. */
    public int sweep() {
        Instant now = clock.instant();
        int moved = 0;
        moved += Objects.requireNonNull(tx.execute(s -> requeueDueRetries(now)));
        moved += Objects.requireNonNull(tx.execute(s -> recoverFromSilentWorkers(now)));
        moved += Objects.requireNonNull(tx.execute(s -> endOverdueJobs(now)));
        tx.executeWithoutResult(s -> store.completeBatches(now));
        idempotencyKeys.forgetBefore(now.minus(settings.idempotencyKeyRetention()));
        return moved;
    }

    private int requeueDueRetries(Instant now) {
        List<JobRecord> due = store.dueRetries(now, settings.sweepBatch());
        for (JobRecord job : due) {
            JobRecord next = store.save(job.requeued());
            log.info("Job {} queued again for attempt {} of {}", next.id(), next.attempt(), next.maxAttempts());
        }
        if (!due.isEmpty()) {
            queue.announceWaiting();
        }
        return due.size();
    }

    private int recoverFromSilentWorkers(Instant now) {
        List<JobRecord> lost = store.runningOnSilentWorkers(now.minus(settings.workerSilence()), settings.sweepBatch());
        for (JobRecord job : lost) {
            JobError error = new JobError(
                    "WORKER_LOST",
                    "worker " + job.workerId() + " went silent while running attempt " + job.attempt(),
                    true);
            store.attemptEnded(job.id(), job.attempt(), now, "LOST", error);
            JobRecord next = store.save(decide.faulted(job, error, now));
            log.warn("Job {} lost its worker {}: {}", job.id(), job.workerId(), next.status());
        }
        return lost.size();
    }

    private int endOverdueJobs(Instant now) {
        List<JobRecord> overdue =
                store.runningPastDeadline(now, settings.deadlineGrace().toMillis(), settings.sweepBatch());
        for (JobRecord job : overdue) {
            long timeoutMs = job.spec() == null ? 0 : job.spec().timeoutMs();
            JobError error = new JobError(
                    "DEADLINE_EXCEEDED",
                    "the job ran past its timeout of " + timeoutMs + " ms and its worker never reported its end",
                    false);
            store.attemptEnded(job.id(), job.attempt(), now, "DEADLINE_EXCEEDED", error);
            store.save(job.ended(JobStatus.TIMED_OUT, null, error, null, null, now));
            log.warn("Job {} overran its deadline on worker {}; TIMED_OUT", job.id(), job.workerId());
        }
        return overdue.size();
    }

    @Override
    public void start() {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "job-sweeper");
            thread.setDaemon(true);
            return thread;
        });
        long period = settings.sweepInterval().toMillis();
        t.scheduleWithFixedDelay(this::sweepQuietly, period, period, TimeUnit.MILLISECONDS);
        timer = t;
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // PostgreSQL away, most likely; the next sweep tries again.
            log.warn("Sweep failed: {}", e.toString());
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
        timer = null;
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }
}
