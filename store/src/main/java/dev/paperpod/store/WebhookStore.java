package dev.paperpod.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Webhook endpoints of accounts and the deliveries made to them. Deliveries are created by the saves that end jobs
 * or complete batches ({@link JobStore#saveAll}, {@link WebhookEvents}); the sender claims the due ones with a lease,
 * posts them and records each attempt here.
 */
public interface WebhookStore {

    /** PostgreSQL channel notified when deliveries are due: the sender wakes. */
    String CHANNEL = WebhookEvents.CHANNEL;

    void createEndpoint(Endpoint endpoint);

    /** The account's endpoints, oldest first. */
    List<Endpoint> endpoints(UUID accountId);

    Optional<Endpoint> endpoint(UUID endpointId, UUID accountId);

    /** Whether the account has an enabled endpoint at {@code url}. */
    boolean hasEnabledEndpoint(UUID accountId, String url);

    /** A new signing secret; the old one keeps signing beside it until {@code previousUntil}. */
    void rotateSecret(UUID endpointId, String secret, Instant previousUntil);

    /** Names the endpoint at {@code url} as the one to tell of the job's end (its own {@code webhookUrl}). */
    void attachToJob(UUID jobId, String url);

    /** The endpoint's latest deliveries, newest first, each with every attempt. */
    List<Delivery> deliveries(UUID endpointId, int limit);

    /**
     * Makes a delivery to an enabled endpoint of the account due again now, whatever became of it, and wakes the
     * sender.
     *
     * @return the delivery as it stands, or empty when the account has no such delivery to an enabled endpoint
     */
    Optional<Delivery> replay(String deliveryId, UUID accountId);

    /**
     * Claims up to {@code limit} due deliveries to enabled endpoints, oldest first, by pushing their next attempt to
     * {@code leaseUntil}: a sender that dies while posting leaves them to be posted again then. Others skip rows
     * claimed in a transaction not yet committed.
     */
    List<Due> claimDue(Instant now, int limit, Instant leaseUntil);

    /** Logs an attempt (once: a replayed record changes nothing). */
    void recordAttempt(
            String deliveryId,
            int attempt,
            Instant at,
            @Nullable Integer statusCode,
            @Nullable String error,
            long durationMs);

    /** Ends the delivery: {@code SUCCEEDED}, or {@code FAILED} for good. */
    void finish(String deliveryId, String status, int attempts, Instant at);

    /** Schedules the delivery's next attempt. */
    void retryAt(String deliveryId, int attempts, Instant next);

    /** Stops all posting to the endpoint (it answered 410 Gone, say). */
    void disableEndpoint(UUID endpointId, String reason, Instant at);

    /**
     * @param events the event types it takes; all when empty
     * @param disabledAt when posting to it stopped
     */
    record Endpoint(
            UUID id,
            UUID accountId,
            String url,
            List<String> events,
            String secret,
            Instant createdAt,
            @Nullable Instant disabledAt,
            @Nullable String disabledReason) {}

    /** A delivery and its log of attempts. */
    record Delivery(
            String id,
            String eventType,
            String status,
            int attempts,
            Instant createdAt,
            @Nullable Instant nextAttemptAt,
            @Nullable Instant finishedAt,
            List<Attempt> log) {}

    /** @param statusCode absent when no answer came */
    record Attempt(
            int attempt,
            Instant at,
            @Nullable Integer statusCode,
            @Nullable String error,
            long durationMs) {}

    /**
     * A delivery claimed for one attempt.
     *
     * @param attempt the number of this attempt
     * @param previousSecret the endpoint's secret before its last rotation, while that still signs
     */
    record Due(
            String id,
            int attempt,
            String payload,
            String url,
            String secret,
            @Nullable String previousSecret,
            UUID endpointId) {}
}
