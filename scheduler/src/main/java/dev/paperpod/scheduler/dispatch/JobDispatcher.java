package dev.paperpod.scheduler.dispatch;

import dev.paperpod.scheduler.SchedulerProperties;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.store.DispatchQueue;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import dev.paperpod.store.NotificationLoop;
import dev.paperpod.store.Outbox;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hands waiting background jobs to Kafka (through the outbox) when the workers have room: at most {@code prefetch}
 * jobs per live worker sandbox in flight, each account within its concurrency limit, the order by priority, then
 * accounts taking turns, then age; jobs with a {@code runAt} wait for it. Each job goes to the partition of the job
 * topic with the fewest jobs in flight, chosen through its record key, so the load spreads over the workers that
 * hold the partitions; a worker runs its partitions' jobs side by side, so a quick job never waits behind a long one
 * (see the worker's {@code JobConsumer}). Because Kafka only ever holds what the workers are about to run, these
 * decisions are the ones that count, and a high-priority job overtakes a long backlog.
 *
 * <p>Wakes on PostgreSQL notifications (a job starts waiting, a job ends) and every {@code interval}; one
 * transaction per batch, under an advisory lock, so schedulers running side by side never dispatch a job twice.
 */
@Component
public class JobDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);

    private final DispatchQueue queue;
    private final KafkaOperations<?, ?> kafka;
    private final PartitionKeys keys = new PartitionKeys();
    /** Where the next round starts looking for a free partition; only the dispatching thread touches it. */
    private int nextPartition;

    private final Outbox outbox;
    private final TransactionTemplate tx;
    private final DataSource dataSource;
    private final SchedulerProperties.Dispatch settings;
    /** Whether this scheduler's own relay reads the outbox: then a round's jobs go in one row, which it splits. */
    private final boolean groupedOutbox;

    private final Clock clock;
    private volatile @Nullable NotificationLoop loop;

    public JobDispatcher(
            DispatchQueue queue,
            KafkaOperations<Object, Object> kafka,
            Outbox outbox,
            TransactionTemplate tx,
            DataSource dataSource,
            SchedulerProperties properties,
            Clock clock) {
        this.queue = queue;
        this.kafka = kafka;
        this.outbox = outbox;
        this.tx = tx;
        this.dataSource = dataSource;
        this.settings = properties.dispatch();
        this.groupedOutbox = properties.outbox().enabled();
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
        DispatchQueue.Room figures = queue.room(now.minus(settings.workerFreshness()));
        if (!figures.locked()) {
            return 0;
        }
        int capacity = figures.sandboxes() * settings.prefetch();
        DispatchQueue.InFlight inFlight = figures.inFlight();
        int room = Math.min(settings.batch(), capacity - inFlight.total());
        if (room <= 0) {
            return 0;
        }
        int partitions = kafka.partitionsFor(Topics.jobs(JobKind.EXEC)).size();
        if (partitions == 0) {
            log.warn("The job topic {} has no partitions yet; dispatching later", Topics.jobs(JobKind.EXEC));
            return 0;
        }
        List<Integer> free = freePartitions(partitions, room, inFlight.byPartition());
        List<DispatchQueue.Dispatched> sent = queue.takeNext(free, settings.accountConcurrency(), now);
        List<Outbox.Entry> entries = new ArrayList<>(sent.size());
        for (DispatchQueue.Dispatched d : sent) {
            JobRecord job = d.job();
            entries.add(new Outbox.Entry(
                    new JobEnvelope(
                            job.id(),
                            job.accountId(),
                            JobSource.ASYNC,
                            job.createdAt(),
                            null,
                            job.attempt(),
                            Objects.requireNonNull(job.spec(), "a background job has its spec")),
                    keys.keyFor(d.partition(), partitions)));
        }
        if (groupedOutbox) {
            outbox.enqueueGrouped(entries);
        } else {
            outbox.enqueue(entries);
        }
        if (!sent.isEmpty()) {
            log.debug("Dispatched {} jobs ({} of room)", sent.size(), room);
        }
        return sent.size();
    }

    /**
     * The partitions of the next {@code room} jobs, the emptiest first, starting each round where the last left off
     * so the load spreads over the partitions (and the workers that hold them).
     */
    private List<Integer> freePartitions(int partitions, int room, Map<Integer, Integer> busy) {
        List<Integer> free = new ArrayList<>(room);
        int start = Math.floorMod(nextPartition, partitions);
        for (int depth = 0; free.size() < room; depth++) {
            for (int i = 0; i < partitions && free.size() < room; i++) {
                int p = (start + i) % partitions;
                if (busy.getOrDefault(p, 0) <= depth) {
                    free.add(p);
                }
            }
        }
        if (!free.isEmpty()) {
            nextPartition = free.get(free.size() - 1) + 1;
        }
        return free;
    }

    @Override
    public void start() {
        loop = new NotificationLoop(
                        "job-dispatcher",
                        dataSource,
                        List.of(DispatchQueue.WAITING_CHANNEL, JobStore.FINISHED_CHANNEL),
                        settings.interval(),
                        payloads -> dispatch(),
                        () -> {})
                .start();
    }

    @Override
    public void stop() {
        NotificationLoop l = loop;
        if (l != null) {
            l.close();
        }
        loop = null;
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }
}
