package dev.paperpod.schemas.event;

import dev.paperpod.schemas.job.JobKind;
import java.time.Instant;
import java.util.List;

/**
 * A worker is alive, on {@link dev.paperpod.schemas.Topics#WORKERS} keyed by worker id, every few seconds, with what
 * it has for each job kind it runs: the dispatcher hands each kind's waiting jobs on within that kind's capacity.
 *
 * @param capacity one entry per kind this worker runs
 */
public record WorkerHeartbeat(String workerId, Instant at, Instant startedAt, List<Capacity> capacity) {

    public WorkerHeartbeat {
        capacity = List.copyOf(capacity);
    }

    /**
     * What a worker has for one kind of job (for exec: sandboxes).
     *
     * @param ready waiting for a job right now
     * @param busy running a job
     * @param max the ceiling, ready and busy together
     */
    public record Capacity(JobKind kind, int ready, int busy, int max) {}
}
