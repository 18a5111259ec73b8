package dev.paperpod.schemas.sandbox;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The worker's answer to a {@link SandboxCommand}: the sandbox that took it, and what it did or why not.
 *
 * @param sandboxId the sandbox that took the command; when it is not the one the api's registry names, the sandbox
 *     was made anew since. Null when no sandbox could be had.
 * @param sandboxCreatedAt when that sandbox was made
 * @param answer what the operation answered, when it succeeded
 * @param error why it did not, when it did not
 */
public record SandboxReply(
        UUID commandId,
        @Nullable String sandboxId,
        @Nullable Instant sandboxCreatedAt,
        @Nullable SandboxAnswer answer,
        @Nullable Failure error) {

    public SandboxReply {
        if ((answer == null) == (error == null)) {
            throw new IllegalArgumentException("a sandbox reply holds an answer or an error, one of them");
        }
    }

    /**
     * @param code stable: the agent's ({@code NOT_FOUND}, {@code IS_A_DIRECTORY}, {@code EXISTS}, …) or PaperPod's
     *     ({@code TOO_LARGE}, {@code SANDBOX_UNAVAILABLE}, {@code SANDBOX_LOST})
     */
    public record Failure(String code, String message) {}
}
