package dev.paperpod.schemas.job;

/** How a run ended, from the sandbox's point of view. A non-zero exit code is still {@code OK}. */
public enum Verdict {
    OK,
    TIMEOUT,
    MEMORY_LIMIT,
    OUTPUT_LIMIT,
    KILLED,
    ERROR
}
