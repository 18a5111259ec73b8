package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Run code in a sandbox.
 *
 * @param language how {@code code} is run
 * @param code the program text
 * @param timeoutMs wall-clock limit; past it the process tree is killed and the verdict is {@code TIMEOUT}
 * @param env extra environment variables
 * @param stdin text fed to the program's standard input, or null for none
 * @param network what the sandbox may reach; for a pool sandbox {@code none} when absent. In an account's own
 *     sandbox it is what that sandbox reaches if this job makes it (the account's setting; null: the worker's
 *     default); a sandbox that exists keeps its own
 * @param sandbox the account's own sandbox to run in, by name (files and processes kept between jobs); null for a
 *     fresh pool sandbox, reset after the run
 */
public record ExecSpec(
        Language language,
        String code,
        long timeoutMs,
        Map<String, String> env,
        @Nullable String stdin,
        @Nullable Egress network,
        @Nullable String sandbox)
        implements JobSpec {

    public ExecSpec {
        env = env == null ? Map.of() : Map.copyOf(env);
        network = network == null && sandbox == null ? Egress.NONE : network;
    }

    /** A job for a pool sandbox. */
    public ExecSpec(
            Language language,
            String code,
            long timeoutMs,
            Map<String, String> env,
            @Nullable String stdin,
            Egress network) {
        this(language, code, timeoutMs, env, stdin, network, null);
    }

    @Override
    @JsonIgnore
    public JobKind kind() {
        return JobKind.EXEC;
    }
}
