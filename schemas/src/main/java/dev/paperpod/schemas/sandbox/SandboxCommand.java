package dev.paperpod.schemas.sandbox;

import dev.paperpod.schemas.job.Egress;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command for an account's own sandbox, on the topic of the worker that hosts it ({@code paperpod.sandbox.<worker>},
 * ADR 8), answered with a {@link SandboxReply} on the asking api's reply topic. The worker makes the sandbox on the
 * first command that names it.
 *
 * @param accountId whose sandbox; a sandbox is never reached with another account's commands
 * @param sandbox the sandbox's name within the account
 * @param expiresAt when the waiting client gives up; a worker that sees the command later drops it
 * @param network what the sandbox reaches if this command makes it (the account's setting); null for the worker's
 *     default. A sandbox that exists keeps the network it was made with.
 */
public record SandboxCommand(
        UUID commandId,
        UUID accountId,
        String sandbox,
        Instant expiresAt,
        @Nullable Egress network,
        SandboxOperation operation) {}
