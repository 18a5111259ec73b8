package dev.paperpod.schemas.job;

/** How a run ended, from the sandbox's point of view. A non-zero exit code is still {@code OK}. */
public enum Verdict {
    /** The program ended by itself; see its exit code. */
    OK,
    /** Killed at its wall-clock limit. */
    TIMEOUT,
    /** The kernel's OOM killer struck in the sandbox. */
    MEMORY_LIMIT,
    /** Its output passed the cap; killed, output truncated. */
    OUTPUT_LIMIT,
    /** Forks were refused at the process limit (a fork bomb); the exit code is the program's own. */
    PIDS_LIMIT,
    /** Killed on request (the client went away, or the job was canceled). */
    KILLED,
    /** PaperPod could not tell how it ended. */
    ERROR
}
