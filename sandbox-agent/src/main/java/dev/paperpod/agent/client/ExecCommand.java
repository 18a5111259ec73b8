package dev.paperpod.agent.client;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What to run in a sandbox.
 *
 * @param argv program and arguments; with a script, its path is appended
 * @param env environment added to the sandbox's own
 * @param cwd working directory, or null for {@code /workspace}
 * @param stdin bytes for standard input, or null for none
 * @param script a file to write first and run, or null
 * @param scriptName the script file's name
 * @param timeoutMs wall-clock limit, 0 for none
 * @param outputLimit most bytes of stdout plus stderr to pass on
 */
public record ExecCommand(
        List<String> argv,
        Map<String, String> env,
        @Nullable String cwd,
        byte @Nullable [] stdin,
        byte @Nullable [] script,
        String scriptName,
        long timeoutMs,
        long outputLimit) {

    public ExecCommand {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    public static ExecCommand shell(String command, long timeoutMs) {
        return new ExecCommand(
                List.of("/bin/sh", "-c", command), Map.of(), null, null, null, "script", timeoutMs, Long.MAX_VALUE);
    }
}
