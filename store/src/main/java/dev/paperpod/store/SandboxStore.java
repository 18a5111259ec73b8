package dev.paperpod.store;

import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Where each account's named sandbox lives (ADR 8): the worker that hosts it and the last sandbox id it answered with.
 * The api places a sandbox on a live worker; concurrent placements of one sandbox agree on one worker, the first.
 */
public interface SandboxStore {

    Optional<Placement> find(UUID accountId, String name);

    /**
     * Puts the sandbox on {@code workerId}, unless it is placed already elsewhere than {@code replacing} names (another
     * caller won the race): answers the placement that holds afterwards, this one or the winner's.
     *
     * @param replacing the placement found, whose worker is gone; null when there was none
     */
    Placement place(UUID accountId, String name, String workerId, @Nullable Placement replacing);

    /** Records the sandbox the placement's worker answered with, unless the sandbox was placed elsewhere since. */
    void recordSandbox(Placement placement, String sandboxId);

    /**
     * @param sandboxId the last sandbox the worker answered with; null before its first answer
     */
    record Placement(
            UUID accountId,
            String name,
            String workerId,
            @Nullable String sandboxId) {}
}
