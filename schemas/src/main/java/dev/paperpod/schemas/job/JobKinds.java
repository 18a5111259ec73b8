package dev.paperpod.schemas.job;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The job kinds registered on the class path ({@link JobKindContract}s found by {@link ServiceLoader}), read once.
 * A kind named twice, or none found at all, fails at once: a kind that is silently missing would only show as jobs
 * nobody runs.
 */
public final class JobKinds {

    private static final Map<JobKind, JobKindContract> KINDS = load();

    private JobKinds() {}

    /** Every registered kind, {@code exec} first, then the others by name. */
    public static List<JobKindContract> all() {
        return List.copyOf(KINDS.values());
    }

    public static Optional<JobKindContract> find(String wireName) {
        return KINDS.values().stream()
                .filter(c -> c.kind().wireName().equals(wireName))
                .findFirst();
    }

    /** @throws IllegalStateException when no contract of {@code kind} is registered */
    public static JobKindContract of(JobKind kind) {
        JobKindContract contract = KINDS.get(kind);
        if (contract == null) {
            throw new IllegalStateException("No job kind '" + kind + "' is registered (registered: " + wireNames()
                    + "); a kind's contract is listed in META-INF/services/" + JobKindContract.class.getName()
                    + " of the module that defines it");
        }
        return contract;
    }

    /** The registered kinds' names, for messages: {@code exec, …}. */
    public static String wireNames() {
        return String.join(", ", KINDS.keySet().stream().map(JobKind::wireName).toList());
    }

    private static Map<JobKind, JobKindContract> load() {
        List<JobKindContract> found = new ArrayList<>();
        ServiceLoader.load(JobKindContract.class, JobKinds.class.getClassLoader())
                .forEach(found::add);
        found.sort((a, b) -> a.kind().equals(JobKind.EXEC)
                ? -1
                : b.kind().equals(JobKind.EXEC)
                        ? 1
                        : a.kind().wireName().compareTo(b.kind().wireName()));
        Map<JobKind, JobKindContract> kinds = new LinkedHashMap<>();
        for (JobKindContract contract : found) {
            JobKindContract before = kinds.putIfAbsent(contract.kind(), contract);
            if (before != null) {
                throw new IllegalStateException("Job kind '" + contract.kind() + "' is registered twice: by "
                        + before.getClass().getName() + " and "
                        + contract.getClass().getName());
            }
        }
        if (!kinds.containsKey(JobKind.EXEC)) {
            throw new IllegalStateException("No contract of the exec job kind was found: the class path lacks"
                    + " paperpod-schemas' META-INF/services/" + JobKindContract.class.getName());
        }
        return Collections.unmodifiableMap(kinds);
    }
}
