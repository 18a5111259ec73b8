package dev.paperpod.schemas.http;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A webhook endpoint.
 *
 * @param secret the signing secret, {@code whsec_<base64>}: shown once, when the endpoint is created or its secret
 *     rotated, never again
 * @param disabledAt when PaperPod stopped posting to it (it answered 410 Gone)
 */
public record WebhookEndpointView(
        UUID id,
        String url,
        List<String> events,
        Instant createdAt,
        @Nullable String secret,
        @Nullable Instant disabledAt,
        @Nullable String disabledReason) {}
