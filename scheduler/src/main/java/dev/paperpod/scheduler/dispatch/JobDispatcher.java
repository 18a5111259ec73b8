package dev.paperpod.scheduler.dispatch;

import dev.paperpod.scheduler.SchedulerProperties;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobKinds;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.store.DispatchQueue;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import dev.paperpod.store.NotificationLoop;
import dev.paperpod.store.Outbox;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hands waiting background jobs to Kafka (through the outbox) when the workers have room, each job kind within its
 * own capacity: at most {@code prefetch} jobs in flight per unit of the kind's capacity on live workers (for exec, a
 * sandbox), so a kind whose workers are full never holds another kind's jobs back. Within a kind: each account within
 * its concurrency limit (of all kinds together), the order by priority, then accounts taking turns, then age; jobs
 * with a {@code runAt} wait for it. Each job goes to the partition of its kind's topic with the fewest jobs in
 * flight, chosen through its record key, so the load spreads over the workers that hold the partitions; a worker
 * runs its partitions' jobs side by side, so a quick job never waits behind a long one (see the worker's
 * {@code JobConsumer}). Because Kafka only ever holds what the workers are about to run, these decisions are the ones
 * that count, and a high-priority job overtakes a long backlog.
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
    /** Per kind, where the next round starts looking for a free partition; only the dispatching thread touches it. */
    private final Map<JobKind, Integer> nextPartition = new HashMap<>();
    /** Which kind goes first in the next round, so kinds take turns at a round's batch; dispatching thread only. */
    private int firstKind;
    /** Kinds workers reported that this scheduler has no contract of, already warned about; dispatching thread only. */
    private final Set<JobKind> unknown = new HashSet<>();

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
        List<JobKind> kinds = figures.capacity().keySet().stream()
                .filter(this::isKnown)
                .sorted((a, b) -> a.wireName().compareTo(b.wireName()))
                .toList();
        List<Outbox.Entry> entries = new ArrayList<>();
        int left = settings.batch();
        for (int i = 0; i < kinds.size() && left > 0; i++) {
            JobKind kind = kinds.get(Math.floorMod(firstKind + i, kinds.size()));
            left -= dispatch(kind, figures, left, now, entries);
        }
        firstKind++;
        if (groupedOutbox) {
            outbox.enqueueGrouped(entries);
        } else {
            outbox.enqueue(entries);
        }
        return entries.size();
    }

    /** Takes up to {@code most} of the kind's waiting jobs that its capacity has room for; returns how many. */
    private int dispatch(JobKind kind, DispatchQueue.Room figures, int most, Instant now, List<Outbox.Entry> entries) {
        int capacity = figures.capacity().getOrDefault(kind, 0) * settings.prefetch();
        DispatchQueue.InFlight inFlight = figures.inFlight(kind);
        int room = Math.min(most, capacity - inFlight.total());
        if (room <= 0) {
            return 0;
        }
        String topic = Topics.jobs(kind);
        int partitions = kafka.partitionsFor(topic).size();
        if (partitions == 0) {
            log.warn("The job topic {} has no partitions yet; dispatching later", topic);
            return 0;
        }
        List<Integer> free = freePartitions(kind, partitions, room, inFlight.byPartition());
        List<DispatchQueue.Dispatched> sent = queue.takeNext(kind, free, settings.accountConcurrency(), now);
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
        if (!sent.isEmpty()) {
            log.debug("Dispatched {} {} jobs ({} of room)", sent.size(), kind, room);
        }
        return sent.size();
    }

    /** Whether this scheduler knows the kind (its contract, its topics): a worker may run kinds it does not. */
    private boolean isKnown(JobKind kind) {
        if (JobKinds.find(kind.wireName()).isPresent()) {
            return true;
        }
        if (unknown.add(kind)) {
            log.warn(
                    "Workers run jobs of kind '{}', which this scheduler does not know (it knows {}); its jobs are"
                            + " not dispatched from here",
                    kind,
                    JobKinds.wireNames());
        }
        return false;
    }

    /**
     * The partitions of the next {@code room} jobs, the emptiest first, starting each round where the last left off
     * so the load spreads over the partitions (and the workers that hold them).
     */
    private List<Integer> freePartitions(JobKind kind, int partitions, int room, Map<Integer, Integer> busy) {
        List<Integer> free = new ArrayList<>(room);
        int start = Math.floorMod(nextPartition.getOrDefault(kind, 0), partitions);
        for (int depth = 0; free.size() < room; depth++) {
            for (int i = 0; i < partitions && free.size() < room; i++) {
                int p = (start + i) % partitions;
                if (busy.getOrDefault(p, 0) <= depth) {
                    free.add(p);
                }
            }
        }
        if (!free.isEmpty()) {
            nextPartition.put(kind, free.get(free.size() - 1) + 1);
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
