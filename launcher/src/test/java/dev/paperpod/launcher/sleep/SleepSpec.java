package dev.paperpod.launcher.sleep;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSpec;

/**
 * @param sleepMs how long the run waits (a cancel ends the wait)
 * @param echo what it prints and answers
 * @param failAttempts how many of its first attempts fail as an infrastructure fault (retryable)
 */
public record SleepSpec(long sleepMs, String echo, int failAttempts, long timeoutMs) implements JobSpec {

    @Override
    @JsonIgnore
    public JobKind kind() {
        return SleepKind.KIND;
    }
}
