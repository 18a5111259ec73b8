package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.worker.WorkerProperties;
import dev.paperpod.worker.sandbox.SandboxPools;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Says every few seconds that this worker is alive and how many sandboxes it has ready; says "none ready" when it
 * stops, so {@code /health} turns at once rather than when the heartbeat goes stale.
 */
public final class WorkerHeartbeats implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WorkerHeartbeats.class);

    private final KafkaTemplate<String, byte[]> kafka;
    private final SandboxPools pool;
    private final String workerId;
    private final WorkerProperties properties;
    private final Clock clock;
    private final Instant startedAt;
    private ScheduledExecutorService timer;

    public WorkerHeartbeats(
            KafkaTemplate<String, byte[]> kafka,
            SandboxPools pool,
            String workerId,
            WorkerProperties properties,
            Clock clock) {
        this.kafka = kafka;
        this.pool = pool;
        this.workerId = workerId;
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
        timer.scheduleAtFixedRate(() -> send(pool.readyCount()), 0, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
        try {
            send(0).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("Last heartbeat not sent: {}", e.toString());
        }
        timer = null;
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }

    private CompletableFuture<?> send(int ready) {
        WorkerHeartbeat beat =
                new WorkerHeartbeat(workerId, clock.instant(), startedAt, ready, pool.busyCount(), pool.max());
        return kafka.send(Topics.WORKERS, workerId, Wire.write(beat)).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("Heartbeat not sent: {}", e.toString());
            }
        });
    }
}
