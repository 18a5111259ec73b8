package dev.paperpod.schemas.sandbox;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link SandboxCommand} asks of the sandbox, told apart by {@code op}. Paths are the sandbox's own: relative
 * ones resolve under {@code /workspace}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SandboxOperation.WriteFile.class, name = "files.write"),
    @JsonSubTypes.Type(value = SandboxOperation.ReadFile.class, name = "files.read"),
    @JsonSubTypes.Type(value = SandboxOperation.ListFiles.class, name = "files.list"),
    @JsonSubTypes.Type(value = SandboxOperation.DeleteFile.class, name = "files.delete"),
    @JsonSubTypes.Type(value = SandboxOperation.MoveFile.class, name = "files.move"),
    @JsonSubTypes.Type(value = SandboxOperation.StartProcess.class, name = "process.start"),
    @JsonSubTypes.Type(value = SandboxOperation.ListProcesses.class, name = "process.list"),
    @JsonSubTypes.Type(value = SandboxOperation.KillProcess.class, name = "process.kill"),
    @JsonSubTypes.Type(value = SandboxOperation.ProcessLogs.class, name = "process.logs"),
    @JsonSubTypes.Type(value = SandboxOperation.Status.class, name = "status"),
    @JsonSubTypes.Type(value = SandboxOperation.Reset.class, name = "reset"),
    @JsonSubTypes.Type(value = SandboxOperation.Interpret.class, name = "interpret")
})
public sealed interface SandboxOperation {

    /** Writes (or appends to) a file, creating its parents; answered with {@link SandboxAnswer.Written}. */
    record WriteFile(String path, byte[] content, @Nullable Long mode, boolean append) implements SandboxOperation {}

    /**
     * Reads a file whole; answered with {@link SandboxAnswer.FileContent}.
     *
     * @param maxBytes a larger file is refused ({@code TOO_LARGE}) rather than read
     */
    record ReadFile(String path, long maxBytes) implements SandboxOperation {}

    /** Answered with {@link SandboxAnswer.Entries}. */
    record ListFiles(String path, boolean recursive) implements SandboxOperation {}

    record DeleteFile(String path, boolean recursive) implements SandboxOperation {}

    record MoveFile(String from, String to, boolean overwrite) implements SandboxOperation {}

    /**
     * Starts a background process: {@code command} run by {@code sh -c}; answered with {@link SandboxAnswer.Started}.
     *
     * @param name how later commands name it; unique among the sandbox's running processes
     */
    record StartProcess(
            String name,
            String command,
            Map<String, String> env,
            @Nullable String cwd) implements SandboxOperation {

        public StartProcess {
            env = env == null ? Map.of() : Map.copyOf(env);
        }
    }

    /** Answered with {@link SandboxAnswer.Processes}. */
    record ListProcesses() implements SandboxOperation {}

    /** @param signal {@code TERM} or {@code KILL}, to the process's whole session */
    record KillProcess(String name, String signal) implements SandboxOperation {}

    /** The last {@code tailBytes} of a process's output; answered with {@link SandboxAnswer.Logs}. */
    record ProcessLogs(String name, long tailBytes) implements SandboxOperation {}

    /** Answered with {@link SandboxAnswer.Status}. */
    record Status() implements SandboxOperation {}

    /** Ends the sandbox (its files and processes) and makes a fresh one in its place; answered with the new one's id. */
    record Reset() implements SandboxOperation {}

    /**
     * Runs Python like a notebook cell in the sandbox's kernel, made on first use; answered with {@link
     * SandboxAnswer.Interpreted}.
     *
     * @param timeoutMs past it the kernel is restarted (its state is gone) and the cell fails
     */
    record Interpret(String code, long timeoutMs) implements SandboxOperation {}
}
