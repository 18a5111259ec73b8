package dev.paperpod.store;

import java.util.UUID;

/** Someone saved the job since it was read: read it again and decide again. */
public final class ConcurrentJobModificationException extends RuntimeException {
    public ConcurrentJobModificationException(UUID jobId, int expectedVersion) {
        super("job " + jobId + " changed since it was read at version " + expectedVersion);
    }
}
