package dev.paperpod.schemas.job;

import org.jspecify.annotations.Nullable;

/**
 * What a run of code produced. User failures are results: a program that exits 3 ends {@code OK} with exit code 3.
 *
 * @param stdout standard output, capped
 * @param stderr standard error, capped
 * @param exitCode the process's exit code, or null when it was killed
 * @param verdict how the run ended
 * @param truncated true when output was cut at the cap
 * @param durationMs wall time of the program
 * @param cpuMs CPU time the sandbox used during the run (the program and everything it started), when known
 * @param peakMemoryBytes the sandbox's highest memory use during the run (its files in tmpfs included), when known
 */
public record ExecResult(
        String stdout,
        String stderr,
        @Nullable Integer exitCode,
        Verdict verdict,
        boolean truncated,
        long durationMs,
        @Nullable Long cpuMs,
        @Nullable Long peakMemoryBytes)
        implements JobResult {

    /** A result without usage figures. */
    public ExecResult(
            String stdout,
            String stderr,
            @Nullable Integer exitCode,
            Verdict verdict,
            boolean truncated,
            long durationMs) {
        this(stdout, stderr, exitCode, verdict, truncated, durationMs, null, null);
    }

    @Override
    public String outcome() {
        return verdict.name();
    }
}
