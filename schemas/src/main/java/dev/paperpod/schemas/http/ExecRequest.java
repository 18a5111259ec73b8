package dev.paperpod.schemas.http;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The exec kind's fields of a request: the body of {@code POST /execute}, and of {@code POST /v1/jobs} (and a batch's
 * items) beside the {@link JobOptions} every job request shares. Every field may be missing here; the API checks each
 * one and names the field that is wrong.
 *
 * @param code the program text (required)
 * @param language {@code python}, {@code javascript} or {@code shell} (required)
 * @param timeoutMs wall-clock limit in milliseconds; the server's default when absent
 * @param env extra environment variables
 * @param stdin text for the program's standard input
 * @param network {@code none} (default) or {@code full}: what the sandbox may reach
 */
public record ExecRequest(
        @Nullable String code,
        @Nullable String language,
        @Nullable Long timeoutMs,
        @Nullable Map<String, String> env,
        @Nullable String stdin,
        @Nullable String network) {}
