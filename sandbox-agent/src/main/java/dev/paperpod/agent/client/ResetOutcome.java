package dev.paperpod.agent.client;

import org.jspecify.annotations.Nullable;

/**
 * What a RESET did.
 *
 * @param killed processes it killed
 * @param verified no process is left and every reset directory is empty: the sandbox may be reused
 * @param problem what is left, when not verified
 */
public record ResetOutcome(
        long killed, boolean verified, @Nullable String problem) {}
