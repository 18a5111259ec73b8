package dev.paperpod.scheduler.webhooks;

import dev.paperpod.scheduler.SchedulerProperties;
import dev.paperpod.store.NotificationLoop;
import dev.paperpod.store.WebhookEvents;
import dev.paperpod.store.WebhookTargets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.Timestamp;
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
import org.springframework.jdbc.core.simple.JdbcClient;
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

    private final JdbcClient jdbc;
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
            JdbcClient jdbc,
            TransactionTemplate tx,
            DataSource dataSource,
            SchedulerProperties properties,
            @Value("${paperpod.webhooks.allowed-targets:}") List<String> allowedTargets,
            Clock clock) {
        this.jdbc = jdbc;
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

    /** A delivery claimed for one attempt. */
    record Claim(
            String id,
            int attempt,
            String payload,
            String url,
            String secret,
            @Nullable String previousSecret,
            java.util.UUID endpointId) {}

    /** Claims what is due and there is room for, and posts it; returns how many it claimed. */
    int sendDue() {
        int room = slots.availablePermits();
        if (room == 0) {
            return 0;
        }
        List<Claim> claims = Objects.requireNonNull(tx.execute(s -> claim(room)));
        for (Claim claim : claims) {
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

    private List<Claim> claim(int room) {
        Instant now = clock.instant();
        List<Claim> claims = jdbc.sql("""
                        select d.id, d.attempts, d.payload::text as payload, e.url, e.secret, e.id as endpoint_id,
                               case when e.previous_secret_until > ? then e.previous_secret end as previous_secret
                        from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
                        where d.status = 'PENDING' and d.next_attempt_at <= ? and e.disabled_at is null
                        order by d.next_attempt_at
                        limit ?
                        for update of d skip locked
                        """)
                .params(Timestamp.from(now), Timestamp.from(now), room)
                .query((rs, row) -> new Claim(
                        rs.getString("id"),
                        rs.getInt("attempts") + 1,
                        rs.getString("payload"),
                        rs.getString("url"),
                        rs.getString("secret"),
                        rs.getString("previous_secret"),
                        rs.getObject("endpoint_id", java.util.UUID.class)))
                .list();
        Instant lease = now.plus(settings.timeout()).plus(LEASE_MARGIN);
        for (Claim claim : claims) {
            jdbc.sql("update webhook_deliveries set next_attempt_at = ? where id = ?")
                    .params(Timestamp.from(lease), claim.id())
                    .update();
        }
        return claims;
    }

    private void post(Claim claim) {
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
            Claim claim,
            Instant at,
            @Nullable Integer status,
            @Nullable String error,
            long durationMs,
            Duration retryAfter) {
        jdbc.sql("""
                        insert into webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)
                        values (?, ?, ?, ?, ?, ?) on conflict do nothing
                        """)
                .params(claim.id(), claim.attempt(), Timestamp.from(at), status, error, durationMs)
                .update();
        Instant now = clock.instant();
        List<Duration> schedule = settings.retrySchedule();
        if (status != null && status >= 200 && status < 300) {
            finish(claim, "SUCCEEDED", now);
        } else if (status != null && status == 410) {
            finish(claim, "FAILED", now);
            jdbc.sql("""
                            update webhook_endpoints set disabled_at = ?, disabled_reason = ?
                            where id = ? and disabled_at is null
                            """)
                    .params(Timestamp.from(now), "answered 410 Gone to delivery " + claim.id(), claim.endpointId())
                    .update();
            log.info("Webhook endpoint {} answered 410 Gone: disabled", claim.endpointId());
        } else if (claim.attempt() >= schedule.size()) {
            finish(claim, "FAILED", now);
        } else {
            Duration wait = schedule.get(claim.attempt());
            Instant next = now.plus(retryAfter.compareTo(wait) > 0 ? retryAfter : wait);
            jdbc.sql("update webhook_deliveries set attempts = ?, next_attempt_at = ? where id = ?")
                    .params(claim.attempt(), Timestamp.from(next), claim.id())
                    .update();
        }
    }

    private void finish(Claim claim, String status, Instant now) {
        jdbc.sql("""
                        update webhook_deliveries set status = ?, attempts = ?, next_attempt_at = null, finished_at = ?
                        where id = ?
                        """)
                .params(status, claim.attempt(), Timestamp.from(now), claim.id())
                .update();
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
                        List.of(WebhookEvents.CHANNEL),
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
