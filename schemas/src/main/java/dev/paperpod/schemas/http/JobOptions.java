package dev.paperpod.schemas.http;

import org.jspecify.annotations.Nullable;

/**
 * The fields every background job request shares, whatever its kind ({@code POST /v1/jobs}, a batch's items); the
 * kind's own fields sit beside them in the same object (for exec, {@link ExecRequest}).
 *
 * @param kind what the job does: {@code exec} (the default) or another registered kind
 * @param maxAttempts how many attempts infrastructure faults may use (1–10, default 3); the job's own failure is a
 *     result and never retried
 * @param priority {@code high}, {@code normal} (default) or {@code low}
 * @param runAt an ISO-8601 instant before which the job does not start
 * @param webhookUrl the URL of one of the account's webhook endpoints, which then hears of this job's end whatever
 *     its event filter
 */
public record JobOptions(
        @Nullable String kind,
        @Nullable Integer maxAttempts,
        @Nullable String priority,
        @Nullable String runAt,
        @Nullable String webhookUrl) {

    /** The names of these fields, as they appear in a request. */
    public static final java.util.Set<String> FIELDS =
            java.util.Set.of("kind", "maxAttempts", "priority", "runAt", "webhookUrl");
}
