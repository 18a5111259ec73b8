package dev.paperpod.worker.sandbox;

import dev.paperpod.schemas.job.Egress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One warm pool per egress policy: a sandbox's network is fixed when its container is made, so a job asking for
 * the outside world gets a sandbox from the pool made for it.
 */
public final class SandboxPools implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxPools.class);

    private final Map<Egress, SandboxPool> pools;
    private final SandboxRuntime reaper;
    private final Duration reapEvery;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-reaper");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param reaper removes sandboxes left by workers of this host that are gone, now and every {@code reapEvery}
     */
    public SandboxPools(Map<Egress, SandboxPool> pools, SandboxRuntime reaper, Duration reapEvery) {
        this.pools = new EnumMap<>(pools);
        this.reaper = reaper;
        this.reapEvery = reapEvery;
        for (Egress egress : Egress.values()) {
            if (!this.pools.containsKey(egress)) {
                throw new IllegalArgumentException("no sandbox pool for egress " + egress);
            }
        }
    }

    public void start() {
        reap();
        pools.values().forEach(SandboxPool::start);
        timer.scheduleWithFixedDelay(this::reap, reapEvery.toMillis(), reapEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void reap() {
        try {
            int reaped = reaper.reapLeftovers();
            if (reaped > 0) {
                log.info("Removed {} sandbox(es) left by workers that are gone", reaped);
            }
        } catch (RuntimeException e) {
            log.warn("Reaping leftover sandboxes failed: {}", e.toString());
        }
    }

    public SandboxPool pool(Egress egress) {
        return pools.get(egress);
    }

    public Sandbox claim(Egress egress, UUID account, Duration timeout) {
        return pools.get(egress).claim(account, timeout);
    }

    public void release(Egress egress, Sandbox sandbox, UUID account, boolean reusable) {
        pools.get(egress).release(sandbox, account, reusable);
    }

    public int readyCount() {
        return pools.values().stream().mapToInt(SandboxPool::readyCount).sum();
    }

    public int busyCount() {
        return pools.values().stream().mapToInt(SandboxPool::busyCount).sum();
    }

    public int max() {
        return pools.values().stream().mapToInt(SandboxPool::max).sum();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        pools.values().parallelStream().forEach(SandboxPool::close);
    }
}
