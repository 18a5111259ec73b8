package dev.paperpod.schemas.http;

import dev.paperpod.schemas.job.Verdict;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Body of a {@code POST /execute} answer: the seed's fields, plus the verdict and where the time went.
 *
 * @param sandboxId the sandbox it ran in
 * @param sandboxRestarted true when the account's sandbox was made anew since the last call (its worker was lost, it
 *     idled past its expiry): files and processes of before are gone; absent otherwise
 * @param previousSandboxId the sandbox it replaced, when {@code sandboxRestarted}
 */
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
        @Nullable TimingView timing,
        @Nullable String sandboxId,
        @Nullable Boolean sandboxRestarted,
        @Nullable String previousSandboxId) {}
