package dev.paperpod.launcher.sleep;

import dev.paperpod.schemas.job.JobResult;

/**
 * @param sleptMs how long the run waited
 * @param attempt the attempt that ran to its end
 */
public record SleepResult(String echo, long sleptMs, int attempt) implements JobResult {

    @Override
    public String outcome() {
        return "SLEPT";
    }
}
