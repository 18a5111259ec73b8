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

    private static final List<Path> CPU_V1 = List.of(
            Path.of("/sys/fs/cgroup/cpuacct/cpuacct.usage"), Path.of("/sys/fs/cgroup/cpu,cpuacct/cpuacct.usage"));
    private static final List<Path> MEMORY =
            List.of(Path.of("/sys/fs/cgroup/memory.current"), Path.of("/sys/fs/cgroup/memory/memory.usage_in_bytes"));

    private Cgroup() {}

    /** CPU time used by the whole cgroup so far, nanoseconds; -1 where the kernel does not tell. */
    static long cpuNanos() {
        long v2 = counter(List.of(Path.of("/sys/fs/cgroup/cpu.stat")), "usage_usec ");
        if (v2 >= 0) {
            return v2 * 1_000;
        }
        return value(CPU_V1);
    }

    /** Memory the cgroup uses now, bytes; -1 where the kernel does not tell. */
    static long memoryBytes() {
        return value(MEMORY);
    }

    private static long value(List<Path> files) {
        for (Path file : files) {
            try {
                return Long.parseLong(Files.readString(file).trim());
            } catch (IOException | NumberFormatException e) {
                // try the next layout
            }
        }
        return -1;
    }

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
