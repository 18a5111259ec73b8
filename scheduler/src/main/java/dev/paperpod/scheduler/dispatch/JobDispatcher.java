package dev.paperpod.scheduler.dispatch;

import dev.paperpod.scheduler.SchedulerProperties;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.store.DispatchQueue;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import dev.paperpod.store.Outbox;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hands waiting background jobs to Kafka (through the outbox) when the workers have room: at most {@code prefetch}
 * jobs per live worker sandbox in flight, each account within its concurrency limit, the order by priority, then
 * accounts taking turns, then age; jobs with a {@code runAt} wait for it. Because Kafka only ever holds what the
 * workers are about to run, these decisions are the ones that count, and a high-priority job overtakes a long
 * backlog.
 *
 * <p>Wakes on PostgreSQL notifications (a job starts waiting, a job ends) and every {@code interval}; one
 * transaction per batch, under an advisory lock, so schedulers running side by side never dispatch a job twice.
 */
@Component
public class JobDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);

    private final DispatchQueue queue;
    private final Outbox outbox;
    private final TransactionTemplate tx;
    private final DataSource dataSource;
    private final SchedulerProperties.Dispatch settings;
    private final Clock clock;
    private volatile boolean running;
    private @Nullable Thread thread;

    public JobDispatcher(
            DispatchQueue queue,
            Outbox outbox,
            TransactionTemplate tx,
            DataSource dataSource,
            SchedulerProperties properties,
            Clock clock) {
        this.queue = queue;
        this.outbox = outbox;
        this.tx = tx;
        this.dataSource = dataSource;
        this.settings = properties.dispatch();
        this.clock = clock;
    }

    /** Dispatches what there is room for, batch after batch; returns how many jobs went. */
    public int dispatch() {
        int total = 0;
        while (true) {
            int sent = Objects.requireNonNull(tx.execute(status -> dispatchBatch()));
            total += sent;
            if (sent < settings.batch()) {
                return total;
            }
        }
    }

    private int dispatchBatch() {
        Instant now = clock.instant();
        int capacity = queue.workerCapacity(now.minus(settings.workerFreshness())) * settings.prefetch();
        int room = Math.min(settings.batch(), capacity - queue.inFlight());
        if (room <= 0) {
            return 0;
        }
        List<JobRecord> jobs = queue.takeNext(room, settings.accountConcurrency(), now);
        for (JobRecord job : jobs) {
            outbox.enqueue(new JobEnvelope(
                    job.id(),
                    job.accountId(),
                    JobSource.ASYNC,
                    job.createdAt(),
                    null,
                    job.attempt(),
                    Objects.requireNonNull(job.spec(), "a background job has its spec")));
        }
        if (!jobs.isEmpty()) {
            log.debug("Dispatched {} jobs ({} of room)", jobs.size(), room);
        }
        return jobs.size();
    }

    @Override
    public void start() {
        running = true;
        Thread t = new Thread(this::loop, "job-dispatcher");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void loop() {
        long waitMs = Math.max(1, settings.interval().toMillis());
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN " + DispatchQueue.WAITING_CHANNEL);
                    s.execute("LISTEN " + JobStore.FINISHED_CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    dispatchQuietly();
                    // Returns at the first notification, or after the interval.
                    pg.getNotifications((int) waitMs);
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("The dispatcher lost PostgreSQL, reconnecting: {}", e.toString());
                    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
                }
            }
        }
    }

    private void dispatchQuietly() {
        try {
            dispatch();
        } catch (RuntimeException e) {
            log.warn("Dispatching failed; trying again: {}", e.toString());
        }
    }

    @Override
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        thread = null;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
