package dev.paperpod.schemas.event;

import dev.paperpod.schemas.job.JobKind;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A worker is alive, on {@link dev.paperpod.schemas.Topics#WORKERS} keyed by worker id, every few seconds, with what
 * it has for each job kind it runs: the dispatcher hands each kind's waiting jobs on within that kind's capacity.
 *
 * @param capacity one entry per kind this worker runs
 * @param tunnel where the api reaches the ports inside this worker's account sandboxes (preview URLs); null when it
 *     hosts none
 */
public record WorkerHeartbeat(
        String workerId,
        Instant at,
        Instant startedAt,
        List<Capacity> capacity,
        @Nullable Tunnel tunnel) {

    public WorkerHeartbeat {
        capacity = List.copyOf(capacity);
    }

    public WorkerHeartbeat(String workerId, Instant at, Instant startedAt, List<Capacity> capacity) {
        this(workerId, at, startedAt, capacity, null);
    }

    /**
     * The worker's tunnel listener: a TCP connection to {@code address} that names this {@code key} first reaches a
     * port inside one of its sandboxes (docs/architecture.md, "Preview URLs").
     *
     * @param address {@code host:port}
     * @param key a secret of this worker's run, which only the control plane learns (heartbeats and PostgreSQL)
     */
    public record Tunnel(String address, String key) {}

    /**
     * What a worker has for one kind of job (for exec: sandboxes).
     *
     * @param ready waiting for a job right now
     * @param busy running a job
     * @param max the ceiling, ready and busy together
     */
    public record Capacity(JobKind kind, int ready, int busy, int max) {}
}
