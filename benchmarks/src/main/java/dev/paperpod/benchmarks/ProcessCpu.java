package dev.paperpod.benchmarks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The CPU the processes of the embedded stack have used so far, by part, from {@code /proc}: this JVM (PaperPod
 * and the harness), the Kafka broker and the Podman service (its children), PostgreSQL (every process under a
 * {@code postgres}), the sandboxes (every process under a {@code conmon}: agents and their jobs). Each process's
 * own ticks and those of its children it has reaped (a job's {@code bash}, counted by its agent). Beside the
 * machine-wide figure, which also counts whatever else the machine runs, it tells which part a change moved.
 */
final class ProcessCpu {

    static final String JVM = "PaperPod JVM";
    static final String KAFKA = "Kafka broker";
    static final String POSTGRES = "PostgreSQL";
    static final String SANDBOXES = "sandboxes";
    static final String PODMAN = "Podman service";

    private record Proc(long parent, String comm, long ticks) {}

    private ProcessCpu() {}

    /** Clock ticks (USER_HZ) per part, as of now. */
    static Map<String, Long> ticks() throws IOException {
        Map<Long, Proc> procs = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : dirs) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    // comm is in parentheses and may hold spaces: the fields start after the last ')'
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11])
                            + Long.parseLong(f[12])
                            + Long.parseLong(f[13])
                            + Long.parseLong(f[14]);
                    procs.put(
                            Long.parseLong(dir.getFileName().toString()), new Proc(Long.parseLong(f[1]), comm, ticks));
                } catch (IOException | RuntimeException gone) {
                    // the process ended while being read
                }
            }
        }
        long self = ProcessHandle.current().pid();
        Map<String, Long> parts = new LinkedHashMap<>();
        for (String part : new String[] {JVM, KAFKA, POSTGRES, SANDBOXES, PODMAN}) {
            parts.put(part, 0L);
        }
        procs.forEach((pid, proc) -> {
            String part = partOf(pid, procs, self);
            if (part != null) {
                parts.merge(part, proc.ticks(), Long::sum);
            }
        });
        return parts;
    }

    /** The part a process belongs to: the first ancestor (or itself) that tells; null for the rest. */
    private static @Nullable String partOf(long pid, Map<Long, Proc> procs, long self) {
        for (long p = pid; p > 1; ) {
            if (p == self) {
                return JVM;
            }
            Proc proc = procs.get(p);
            if (proc == null) {
                return null;
            }
            if (proc.parent() == self) { // the JVM's children: the broker's JVM, the Podman service
                return proc.comm().equals("java") ? KAFKA : proc.comm().startsWith("podman") ? PODMAN : JVM;
            }
            if (proc.comm().equals("postgres")) {
                return POSTGRES;
            }
            if (proc.comm().equals("conmon")) {
                return SANDBOXES;
            }
            p = proc.parent();
        }
        return null;
    }

    /** "PaperPod JVM 2.41, Kafka broker 1.02, …" ms of CPU per job between two readings. */
    static String perJob(Map<String, Long> before, Map<String, Long> after, long jobs) {
        return after.entrySet().stream()
                .map(e -> String.format(
                        Locale.ROOT,
                        "%s %.2f",
                        e.getKey(),
                        (e.getValue() - before.getOrDefault(e.getKey(), 0L)) * 10.0 / Math.max(1, jobs)))
                .collect(Collectors.joining(", "));
    }
}
