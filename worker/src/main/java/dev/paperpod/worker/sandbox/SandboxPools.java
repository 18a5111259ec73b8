package dev.paperpod.worker.sandbox;

import dev.paperpod.schemas.job.Egress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

/**
 * One warm pool per egress policy: a sandbox's network is fixed when its container is made, so a job asking for
 * the outside world gets a sandbox from the pool made for it.
 */
public final class SandboxPools implements AutoCloseable {

    private final Map<Egress, SandboxPool> pools;

    public SandboxPools(Map<Egress, SandboxPool> pools) {
        this.pools = new EnumMap<>(pools);
        for (Egress egress : Egress.values()) {
            if (!this.pools.containsKey(egress)) {
                throw new IllegalArgumentException("no sandbox pool for egress " + egress);
            }
        }
    }

    public void start() {
        pools.values().forEach(SandboxPool::start);
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
        pools.values().parallelStream().forEach(SandboxPool::close);
    }
}
