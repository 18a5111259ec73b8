package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.worker.WorkerProperties;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Says every few seconds that this worker is alive, what it has for each kind it runs (its runners' capacity) and
 * where its tunnel listener is;
 * says "none ready" when it stops, so {@code /health} and the dispatcher turn at once rather than when the heartbeat
 * goes stale.
 */
public final class WorkerHeartbeats implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerHeartbeats.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final List<JobRunner> runners;
    private final String workerId;
    private final Supplier<WorkerHeartbeat.@Nullable Tunnel> tunnel;
    private final WorkerProperties properties;
    private final Clock clock;
    private final Instant startedAt;
    private ScheduledExecutorService timer;

    public WorkerHeartbeats(
            KafkaTemplate<String, byte[]> kafka,
            List<JobRunner> runners,
            String workerId,
            Supplier<WorkerHeartbeat.@Nullable Tunnel> tunnel,
            WorkerProperties properties,
            Clock clock) {
        this.kafka = kafka;
        this.runners = List.copyOf(runners);
        this.workerId = workerId;
        this.tunnel = tunnel;
        this.properties = properties;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "worker-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = properties.heartbeatInterval().toMillis();
        timer.scheduleAtFixedRate(() -> send(false), 0, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
        try {
            send(true).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("Last heartbeat not sent: {}", e.toString());
        }
        timer = null;
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }

    /** @param last the worker is stopping: nothing of it is ready any more */
    private CompletableFuture<?> send(boolean last) {
        List<WorkerHeartbeat.Capacity> capacity = runners.stream()
                .map(JobRunner::capacity)
                .map(c -> last ? new WorkerHeartbeat.Capacity(c.kind(), 0, c.busy(), c.max()) : c)
                .toList();
        WorkerHeartbeat beat = new WorkerHeartbeat(workerId, clock.instant(), startedAt, capacity, tunnel.get());
        return kafka.send(Topics.WORKERS, workerId, Wire.write(beat)).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("Heartbeat not sent: {}", e.toString());
            }
        });
    }
}
