package dev.paperpod.schemas.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The bodies of the account sandbox's endpoints ({@code /files/*}, {@code /process/*}); which sandbox is the
 * {@code X-PaperPod-Sandbox} header's. Every field may be missing here; the api checks each one and names the field
 * that is wrong. Relative paths resolve under {@code /workspace}.
 */
public final class SandboxRequests {

    private SandboxRequests() {}

    /**
     * {@code POST /files/write}.
     *
     * @param encoding {@code utf8} (the default) or {@code base64}: how {@code content} is written here
     * @param mode Unix permission bits, e.g. {@code 493} (0755); the agent's default when absent
     * @param append add to the end of the file instead of replacing it
     */
    public record WriteFile(
            @Nullable String path,
            @Nullable String content,
            @Nullable String encoding,
            @Nullable Long mode,
            @Nullable Boolean append) {}

    /** {@code POST /files/read}: {@code encoding} {@code utf8} (the default; binary content is refused) or base64. */
    public record ReadFile(@Nullable String path, @Nullable String encoding) {}

    /** {@code POST /files/list}: {@code path} is {@code /workspace} when absent. */
    public record ListFiles(@Nullable String path, @Nullable Boolean recursive) {}

    /** {@code POST /files/delete}: a directory that is not empty needs {@code recursive}. */
    public record DeleteFile(
            @Nullable String path, @Nullable Boolean recursive) {}

    /** {@code POST /files/move}: an existing {@code to} is replaced only with {@code overwrite}. */
    public record MoveFile(
            @Nullable String from,
            @Nullable String to,
            @Nullable Boolean overwrite) {}

    /**
     * {@code POST /process/start}: {@code command} is run by {@code sh -c} in the background.
     *
     * @param name how later calls name it; one is made up when absent
     */
    public record StartProcess(
            @Nullable String command,
            @Nullable String name,
            @Nullable String cwd,
            @Nullable Map<String, String> env) {}

    /** {@code POST /process/kill}: {@code signal} {@code TERM} (the default) or {@code KILL}. */
    public record KillProcess(
            @Nullable String name, @Nullable String signal) {}

    /**
     * {@code POST /process/logs}: the last {@code tail} bytes of its output (64 KiB when absent); with {@code follow},
     * then its output as it comes, until it exits, as server-sent events.
     */
    public record ProcessLogs(
            @Nullable String name,
            @Nullable Long tail,
            @Nullable Boolean follow) {}

    /**
     * {@code POST /expose}: a port of the sandbox gets a preview URL.
     *
     * @param isPrivate {@code "private"}: only the account's token or the preview's own token opens it
     */
    public record Expose(
            @Nullable Integer port,
            @JsonProperty("private") @Nullable Boolean isPrivate) {}

    /** {@code POST /interpret}: a Python cell; {@code timeoutMs} the api's default timeout when absent. */
    public record Interpret(@Nullable String code, @Nullable Long timeoutMs) {}
}
