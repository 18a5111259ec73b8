package dev.paperpod.schemas.http;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One event posted to one endpoint, with every attempt. {@code id} is the {@code webhook-id} header, the same on
 * every attempt and replay, for receivers to deduplicate.
 */
public record WebhookDeliveryView(
        String id,
        String eventType,
        String status,
        int attempts,
        Instant createdAt,
        @Nullable Instant nextAttemptAt,
        @Nullable Instant finishedAt,
        List<Attempt> log) {

    /** @param statusCode absent when no answer came (refused, timed out) */
    public record Attempt(
            int attempt,
            Instant at,
            @Nullable Integer statusCode,
            @Nullable String error,
            long durationMs) {}
}
