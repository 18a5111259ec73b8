package dev.paperpod.api.sandbox;

import dev.paperpod.schemas.sandbox.SandboxCommand;
import dev.paperpod.schemas.sandbox.SandboxReply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** How sandbox commands reach the worker that hosts the sandbox, and their replies come back. */
public interface SandboxChannel {

    /**
     * Sends the command to {@code workerId}; completes with its reply, or exceptionally with
     * {@link dev.paperpod.api.sync.JobQueue.NoReplyException} when none came within {@code wait}.
     */
    CompletableFuture<SandboxReply> send(String workerId, SandboxCommand command, Duration wait);
}
