package dev.paperpod.agent.client;

import org.jspecify.annotations.Nullable;

/**
 * A background process, as listed.
 *
 * @param exitCode set once it has ended
 * @param droppedBytes output no longer kept (only the last MiB is)
 */
public record BackgroundProcess(
        String name, long pid, boolean running, @Nullable Integer exitCode, long startedMs, long droppedBytes) {}
