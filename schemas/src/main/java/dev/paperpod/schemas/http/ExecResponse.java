package dev.paperpod.schemas.http;

import dev.paperpod.schemas.job.Verdict;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Body of a {@code POST /execute} answer: the seed's fields, plus the verdict and where the time went. */
public record ExecResponse(
        String stdout,
        String stderr,
        @Nullable Integer exitCode,
        long durationMs,
        @Nullable Long cpuMs,
        @Nullable Long peakMemoryBytes,
        Verdict verdict,
        boolean truncated,
        UUID jobId,
        @Nullable TimingView timing) {}
