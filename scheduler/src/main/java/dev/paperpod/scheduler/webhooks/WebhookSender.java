package dev.paperpod.scheduler.webhooks;

import dev.paperpod.scheduler.SchedulerProperties;
import dev.paperpod.store.NotificationLoop;
import dev.paperpod.store.WebhookStore;
import dev.paperpod.store.WebhookTargets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Posts due webhook deliveries as Standard Webhooks: headers {@code webhook-id} (the delivery's id, the same on every
 * attempt), {@code webhook-timestamp} (seconds) and {@code webhook-signature} ({@code v1,<base64 HMAC-SHA256>}, and a
 * second one with the previous secret while a rotation lasts). A 2xx answer delivers; 410 Gone disables the endpoint;
 * anything else (an error status, no answer within the timeout, a refused target) is retried on the schedule, later
 * if the answer's {@code Retry-After} asks, until the schedule runs out. Every attempt is logged.
 *
 * <p>A delivery is claimed with a lease ({@code next_attempt_at} pushed past the timeout) in a short transaction, so
 * no row lock is held while posting, and a sender that dies mid-post leaves it to be posted again.
 */
@Component
public class WebhookSender implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(30);

    private final WebhookStore store;
    private final TransactionTemplate tx;
    private final DataSource dataSource;
    private final SchedulerProperties.Webhooks settings;
    private final WebhookTargets targets;
    private final Clock clock;
    private final HttpClient http;
    private final Semaphore slots;
    private @Nullable ExecutorService posts;
    private volatile @Nullable NotificationLoop loop;

    public WebhookSender(
            WebhookStore store,
            TransactionTemplate tx,
            DataSource dataSource,
            SchedulerProperties properties,
            @Value("${paperpod.webhooks.allowed-targets:}") List<String> allowedTargets,
            Clock clock) {
        this.store = store;
        this.tx = tx;
        this.dataSource = dataSource;
        this.settings = properties.webhooks();
        this.targets = new WebhookTargets(allowedTargets);
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.slots = new Semaphore(settings.concurrency());
    }

    /** Claims what is due and there is room for, and posts it; returns how many it claimed. */
    int sendDue() {
        int room = slots.availablePermits();
        if (room == 0) {
            return 0;
        }
        Instant now = clock.instant();
        Instant lease = now.plus(settings.timeout()).plus(LEASE_MARGIN);
        List<WebhookStore.Due> claims = Objects.requireNonNull(tx.execute(s -> store.claimDue(now, room, lease)));
        for (WebhookStore.Due claim : claims) {
            slots.acquireUninterruptibly();
            Objects.requireNonNull(posts).execute(() -> {
                try {
                    post(claim);
                } finally {
                    slots.release();
                }
            });
        }
        return claims.size();
    }

    private void post(WebhookStore.Due claim) {
        Instant at = clock.instant();
        long timestamp = at.getEpochSecond();
        long started = System.nanoTime();
        Integer status = null;
        String error = null;
        Duration retryAfter = Duration.ZERO;
        Optional<String> refused = targets.refusal(claim.url());
        if (refused.isPresent()) {
            error = "refused: " + refused.get();
        } else {
            String signature = WebhookSignature.sign(claim.secret(), claim.id(), timestamp, claim.payload());
            if (claim.previousSecret() != null) {
                signature +=
                        " " + WebhookSignature.sign(claim.previousSecret(), claim.id(), timestamp, claim.payload());
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(claim.url()))
                    .timeout(settings.timeout())
                    .header("content-type", "application/json")
                    .header("user-agent", "PaperPod-Webhooks/1")
                    .header("webhook-id", claim.id())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", signature)
                    .POST(HttpRequest.BodyPublishers.ofString(claim.payload()))
                    .build();
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                status = response.statusCode();
                retryAfter =
                        retryAfter(response.headers().firstValue("retry-after").orElse(null), at);
            } catch (HttpTimeoutException e) {
                error = "no answer within " + settings.timeout().toMillis() + " ms";
            } catch (java.io.IOException e) {
                error = e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // shutting down: the lease runs out and the delivery is posted again
            }
        }
        long durationMs = (System.nanoTime() - started) / 1_000_000;
        Integer code = status;
        String why = error;
        Duration wait = retryAfter;
        try {
            tx.executeWithoutResult(s -> record(claim, at, code, why, durationMs, wait));
        } catch (RuntimeException e) {
            log.warn("Could not record attempt {} of delivery {}: {}", claim.attempt(), claim.id(), e.toString());
        }
    }

    private void record(
            WebhookStore.Due claim,
            Instant at,
            @Nullable Integer status,
            @Nullable String error,
            long durationMs,
            Duration retryAfter) {
        store.recordAttempt(claim.id(), claim.attempt(), at, status, error, durationMs);
        Instant now = clock.instant();
        List<Duration> schedule = settings.retrySchedule();
        if (status != null && status >= 200 && status < 300) {
            store.finish(claim.id(), "SUCCEEDED", claim.attempt(), now);
        } else if (status != null && status == 410) {
            store.finish(claim.id(), "FAILED", claim.attempt(), now);
            store.disableEndpoint(claim.endpointId(), "answered 410 Gone to delivery " + claim.id(), now);
            log.info("Webhook endpoint {} answered 410 Gone: disabled", claim.endpointId());
        } else if (claim.attempt() >= schedule.size()) {
            store.finish(claim.id(), "FAILED", claim.attempt(), now);
        } else {
            Duration wait = schedule.get(claim.attempt());
            store.retryAt(claim.id(), claim.attempt(), now.plus(retryAfter.compareTo(wait) > 0 ? retryAfter : wait));
        }
    }

    /** {@code Retry-After} as seconds or an HTTP date; zero when absent or unreadable. */
    static Duration retryAfter(@Nullable String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Duration.ZERO;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant when = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return when.isAfter(now) ? Duration.between(now, when) : Duration.ZERO;
            } catch (RuntimeException notADate) {
                return Duration.ZERO;
            }
        }
    }

    @Override
    public void start() {
        posts = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, "webhook-post");
            t.setDaemon(true);
            return t;
        });
        loop = new NotificationLoop(
                        "webhook-sender",
                        dataSource,
                        List.of(WebhookStore.CHANNEL),
                        settings.interval(),
                        payloads -> sendDue(),
                        () -> {})
                .start();
    }

    @Override
    public void stop() {
        NotificationLoop l = loop;
        if (l != null) {
            l.close();
        }
        loop = null;
        ExecutorService p = posts;
        if (p != null) {
            p.shutdownNow();
            try {
                p.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }
}
