package dev.paperpod.schemas.http;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /execute} and {@code POST /v1/jobs}. Fields are loosely typed on purpose: the API checks
 * each one and names the field that is wrong, rather than failing on the first mismatch.
 *
 * @param code the program text (required)
 * @param language {@code python}, {@code javascript} or {@code shell} (required)
 * @param timeoutMs wall-clock limit in milliseconds; the server's default when absent
 * @param env extra environment variables
 * @param stdin text for the program's standard input
 * @param network {@code none} (default) or {@code full}: what the sandbox may reach
 * @param maxAttempts {@code /v1/jobs} only: how many attempts infrastructure faults may use (1–10, default 3);
 *     the program failing is a result and never retried
 * @param priority {@code /v1/jobs} only: {@code high}, {@code normal} (default) or {@code low}
 * @param runAt {@code /v1/jobs} only: an ISO-8601 instant before which the job does not start
 * @param webhookUrl {@code /v1/jobs} only: the URL of one of the account's webhook endpoints, which then hears of
 *     this job's end whatever its event filter
 */
public record ExecRequest(
        @Nullable String code,
        @Nullable String language,
        @Nullable Long timeoutMs,
        @Nullable Map<String, String> env,
        @Nullable String stdin,
        @Nullable String network,
        @Nullable Integer maxAttempts,
        @Nullable String priority,
        @Nullable String runAt,
        @Nullable String webhookUrl) {

    /** Without a webhook. */
    public ExecRequest(
            @Nullable String code,
            @Nullable String language,
            @Nullable Long timeoutMs,
            @Nullable Map<String, String> env,
            @Nullable String stdin,
            @Nullable String network,
            @Nullable Integer maxAttempts,
            @Nullable String priority,
            @Nullable String runAt) {
        this(code, language, timeoutMs, env, stdin, network, maxAttempts, priority, runAt, null);
    }
}
