package dev.paperpod.schemas.sandbox;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What a {@link SandboxOperation} that succeeded answers, told apart by {@code type}. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SandboxAnswer.Done.class, name = "done"),
    @JsonSubTypes.Type(value = SandboxAnswer.Written.class, name = "written"),
    @JsonSubTypes.Type(value = SandboxAnswer.FileContent.class, name = "file"),
    @JsonSubTypes.Type(value = SandboxAnswer.Entries.class, name = "entries"),
    @JsonSubTypes.Type(value = SandboxAnswer.Started.class, name = "started"),
    @JsonSubTypes.Type(value = SandboxAnswer.Processes.class, name = "processes"),
    @JsonSubTypes.Type(value = SandboxAnswer.Logs.class, name = "logs"),
    @JsonSubTypes.Type(value = SandboxAnswer.Status.class, name = "status"),
    @JsonSubTypes.Type(value = SandboxAnswer.Interpreted.class, name = "interpreted")
})
public sealed interface SandboxAnswer {

    /** It was done; nothing more to tell. */
    record Done() implements SandboxAnswer {}

    /** @param size the file's size after the write */
    record Written(long size) implements SandboxAnswer {}

    /** @param mode Unix permission bits */
    record FileContent(byte[] content, long size, long mode, Instant modifiedAt) implements SandboxAnswer {}

    record Entries(List<Entry> entries) implements SandboxAnswer {

        public Entries {
            entries = List.copyOf(entries);
        }
    }

    /**
     * @param name relative to the listed directory (a path when listed recursively)
     * @param type {@code file}, {@code dir}, {@code link} or {@code other}
     */
    record Entry(String name, String type, long size, long mode, Instant modifiedAt) {}

    record Started(String name, long pid) implements SandboxAnswer {}

    record Processes(List<Process> processes) implements SandboxAnswer {

        public Processes {
            processes = List.copyOf(processes);
        }
    }

    /**
     * @param exitCode set once it has ended
     * @param droppedBytes output no longer kept (only the last MiB is)
     */
    record Process(
            String name,
            long pid,
            boolean running,
            @Nullable Integer exitCode,
            Instant startedAt,
            long droppedBytes) {}

    /** @param exitCode set once the process has ended */
    record Logs(
            String name,
            String stdout,
            String stderr,
            boolean running,
            @Nullable Integer exitCode) implements SandboxAnswer {}

    /**
     * The sandbox as it is.
     *
     * @param idleExpiresAt when it ends unless a command comes first
     * @param memoryBytes memory in use now (its cgroup's: processes and the files of its tmpfs), when known
     * @param diskBytes bytes used in {@code /workspace}, when known; {@code diskLimitBytes} its size
     * @param tmpBytes bytes used in {@code /tmp}, when known; {@code tmpLimitBytes} its size
     */
    record Status(
            Instant createdAt,
            Instant lastUsedAt,
            Instant idleExpiresAt,
            String network,
            @Nullable Long memoryBytes,
            long memoryLimitBytes,
            double cpus,
            long pidsLimit,
            @Nullable Long diskBytes,
            @Nullable Long diskLimitBytes,
            @Nullable Long tmpBytes,
            @Nullable Long tmpLimitBytes,
            List<Process> processes)
            implements SandboxAnswer {

        public Status {
            processes = List.copyOf(processes);
        }
    }

    /**
     * A cell's run in the kernel.
     *
     * @param truncated stdout or stderr was cut at 1 MiB
     * @param result the value of the cell's last expression, by MIME type ({@code text/plain}, and {@code text/html}
     *     for a value that has one, such as a pandas DataFrame); null when there is none
     * @param displays what the cell showed besides: matplotlib figures as {@code image/png} (base64)
     * @param error the exception the cell ended with
     * @param kernelRestarted the kernel is not the one of the last cell (it crashed, or this cell timed out):
     *     variables and imports of earlier cells are gone
     * @param restartReason why, when it was restarted
     * @param executionCount the cell's number in this kernel, from 1
     */
    record Interpreted(
            String stdout,
            String stderr,
            boolean truncated,
            @Nullable Map<String, String> result,
            List<Map<String, String>> displays,
            @Nullable CellError error,
            boolean kernelRestarted,
            @Nullable String restartReason,
            long executionCount)
            implements SandboxAnswer {

        public Interpreted {
            displays = List.copyOf(displays);
        }
    }

    /** An exception a cell ended with, as Python tells it. */
    record CellError(String name, String value, String traceback) {}
}
