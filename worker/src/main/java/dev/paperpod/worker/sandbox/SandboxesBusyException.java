package dev.paperpod.worker.sandbox;

/**
 * No sandbox within the claim's time because every one the pool may have is busy with a job, and nothing failed:
 * the pool is healthy, only full. (Sandboxes that do not come — creations that hang, say — are a plain
 * {@link SandboxException}: a job should then go to another worker, not wait here.)
 */
public final class SandboxesBusyException extends SandboxException {

    public SandboxesBusyException(String message) {
        super(message);
    }
}
