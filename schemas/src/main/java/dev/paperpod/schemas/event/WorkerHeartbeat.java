package dev.paperpod.schemas.event;

import java.time.Instant;

/**
 * A worker is alive, on {@link dev.paperpod.schemas.Topics#WORKERS} keyed by worker id, every few seconds.
 *
 * @param readySandboxes warm sandboxes waiting for a job right now
 * @param busySandboxes sandboxes running a job
 * @param maxSandboxes the pool's ceiling
 */
public record WorkerHeartbeat(
        String workerId, Instant at, Instant startedAt, int readySandboxes, int busySandboxes, int maxSandboxes) {}
