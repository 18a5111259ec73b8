package dev.paperpod.agent.client;

import org.jspecify.annotations.Nullable;

/**
 * How a run ended, as the agent reported it.
 *
 * @param verdict {@code OK}, {@code TIMEOUT}, {@code OUTPUT_LIMIT}, {@code KILLED} or {@code ERROR}
 * @param exitCode the exit code when the process ended by itself, else null
 * @param truncated output was cut at the limit
 * @param wallMs wall time of the process
 * @param cpuMs CPU time the sandbox used during the run, when the agent could tell
 * @param peakMemoryBytes the sandbox's highest memory use sampled during the run, when the agent could tell
 */
public record ExecOutcome(
        String verdict,
        @Nullable Integer exitCode,
        boolean truncated,
        long wallMs,
        @Nullable Long cpuMs,
        @Nullable Long peakMemoryBytes) {}
