package dev.paperpod.schemas.job;

import org.jspecify.annotations.Nullable;

/**
 * What a run produced. User failures are results: a program that exits 3 ends {@code OK} with exit code 3.
 *
 * @param stdout standard output, capped
 * @param stderr standard error, capped
 * @param exitCode the process's exit code, or null when it was killed
 * @param verdict how the run ended
 * @param truncated true when output was cut at the cap
 * @param durationMs wall time of the program
 */
public record ExecResult(
        String stdout,
        String stderr,
        @Nullable Integer exitCode,
        Verdict verdict,
        boolean truncated,
        long durationMs) {}
