package dev.paperpod.schemas.http;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /v1/webhook-endpoints}.
 *
 * @param url where events are posted (http or https; internal addresses only if the operator allow-lists them)
 * @param events the event types wanted ({@code job.succeeded}, {@code job.failed}, {@code job.timed_out},
 *     {@code job.canceled}, {@code batch.completed}); all when absent or empty
 */
public record WebhookEndpointRequest(
        @Nullable String url, @Nullable List<String> events) {}
