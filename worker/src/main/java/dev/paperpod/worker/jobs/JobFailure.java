package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.job.JobError;
import org.jspecify.annotations.Nullable;

/**
 * PaperPod could not run a job: an infrastructure fault (retryable: another attempt may succeed) or a refusal. Never
 * the user's own failure, which is a result. The job ends FAILED with {@link #error()}, or RETRYING when it is
 * retryable and attempts are left.
 */
public class JobFailure extends Exception {

    private final JobError error;

    public JobFailure(String code, String message, boolean retryable) {
        this(code, message, retryable, null);
    }

    public JobFailure(String code, String message, boolean retryable, @Nullable Throwable cause) {
        super(message, cause);
        this.error = new JobError(code, message, retryable);
    }

    public JobError error() {
        return error;
    }

    /** Everything the kind has on this worker is in use by other jobs, and nothing failed: it is only full. */
    public static final class Busy extends JobFailure {

        public Busy(String code, String message) {
            super(code, message, true);
        }
    }
}
