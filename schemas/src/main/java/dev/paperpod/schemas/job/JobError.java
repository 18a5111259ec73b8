package dev.paperpod.schemas.job;

/**
 * Why PaperPod could not run a job; never a failure of the user's own code, which is a result.
 *
 * @param code stable, machine-readable, e.g. {@code SANDBOX_UNAVAILABLE}
 * @param message what happened, for people
 * @param retryable whether running the job again may succeed (an infrastructure fault)
 */
public record JobError(String code, String message, boolean retryable) {}
