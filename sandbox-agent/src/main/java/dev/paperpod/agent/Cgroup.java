package dev.paperpod.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The sandbox's cgroup limits, as seen from inside: counters the kernel bumps when a limit strikes. A counter that
 * grew during a run means the run hit that limit. Both cgroup v2 and v1 layouts are read.
 */
final class Cgroup {

    private static final List<Path> OOM_KILLS =
            List.of(Path.of("/sys/fs/cgroup/memory.events"), Path.of("/sys/fs/cgroup/memory/memory.oom_control"));
    private static final List<Path> PIDS_MAX =
            List.of(Path.of("/sys/fs/cgroup/pids.events"), Path.of("/sys/fs/cgroup/pids/pids.events"));

    private Cgroup() {}

    /** Times the OOM killer struck, or -1 where the kernel does not tell. */
    static long oomKills() {
        return counter(OOM_KILLS, "oom_kill ");
    }

    /** Forks refused by the pids limit, or -1 where the kernel does not tell. */
    static long pidsLimitHits() {
        return counter(PIDS_MAX, "max ");
    }

    private static long counter(List<Path> files, String prefix) {
        for (Path file : files) {
            try {
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith(prefix)) {
                        return Long.parseLong(line.substring(prefix.length()).trim());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // try the next layout
            }
        }
        return -1;
    }
}
