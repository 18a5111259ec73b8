package dev.paperpod.api.webhooks;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.http.WebhookDeliveryView;
import dev.paperpod.schemas.http.WebhookEndpointRequest;
import dev.paperpod.schemas.http.WebhookEndpointView;
import dev.paperpod.store.WebhookTargets;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Webhook endpoints of an account: register (the signing secret is shown once), list, rotate the secret (the old
 * one keeps signing beside the new for {@value #ROTATION_HOURS} h), read the delivery log, replay a delivery.
 */
@RestController
class WebhookController {

    static final Set<String> EVENTS =
            Set.of("job.succeeded", "job.failed", "job.timed_out", "job.canceled", "batch.completed");
    private static final long ROTATION_HOURS = 24;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JsonBody body;
    private final JdbcClient jdbc;
    private final WebhookTargets targets;
    private final Clock clock;

    WebhookController(
            JsonBody body,
            JdbcClient jdbc,
            @Value("${paperpod.webhooks.allowed-targets:}") List<String> allowedTargets,
            Clock clock) {
        this.body = body;
        this.jdbc = jdbc;
        this.targets = new WebhookTargets(allowedTargets);
        this.clock = clock;
    }

    @PostMapping("/v1/webhook-endpoints")
    ResponseEntity<WebhookEndpointView> register(Caller caller, HttpServletRequest request) {
        WebhookEndpointRequest endpoint = body.read(request, WebhookEndpointRequest.class);
        if (endpoint.url() == null || endpoint.url().isBlank()) {
            throw ApiException.invalidField("url", "url is required", "send the https URL that receives events");
        }
        targets.refusal(endpoint.url()).ifPresent(why -> {
            throw ApiException.invalidField("url", why, "use a public http(s) URL");
        });
        List<String> events = endpoint.events() == null ? List.of() : endpoint.events();
        for (String event : events) {
            if (!EVENTS.contains(event)) {
                throw ApiException.invalidField(
                        "events",
                        "'" + event + "' is not an event type",
                        "use any of " + EVENTS.stream().sorted().toList());
            }
        }
        UUID id = UUID.randomUUID();
        String secret = newSecret();
        Instant now = clock.instant();
        jdbc.sql("""
                        insert into webhook_endpoints (id, account_id, url, events, secret, created_at)
                        values (?, ?, ?, ?, ?, ?)
                        """)
                .params(
                        id,
                        caller.accountId(),
                        endpoint.url(),
                        events.toArray(String[]::new),
                        secret,
                        Timestamp.from(now))
                .update();
        return ResponseEntity.created(URI.create("/v1/webhook-endpoints/" + id))
                .body(new WebhookEndpointView(id, endpoint.url(), events, now, secret, null, null));
    }

    @GetMapping("/v1/webhook-endpoints")
    List<WebhookEndpointView> list(Caller caller) {
        return jdbc.sql("select * from webhook_endpoints where account_id = ? order by created_at")
                .param(caller.accountId())
                .query(WebhookController::endpoint)
                .list();
    }

    @GetMapping("/v1/webhook-endpoints/{id}")
    WebhookEndpointView get(Caller caller, @PathVariable String id) {
        return find(caller, id);
    }

    /** A new secret, shown once; deliveries carry signatures with both the new and the old one for a while. */
    @PostMapping("/v1/webhook-endpoints/{id}/rotate-secret")
    WebhookEndpointView rotate(Caller caller, @PathVariable String id) {
        WebhookEndpointView endpoint = find(caller, id);
        String secret = newSecret();
        jdbc.sql("""
                        update webhook_endpoints set previous_secret = secret, previous_secret_until = ?, secret = ?
                        where id = ?
                        """)
                .params(Timestamp.from(clock.instant().plus(Duration.ofHours(ROTATION_HOURS))), secret, endpoint.id())
                .update();
        return new WebhookEndpointView(
                endpoint.id(),
                endpoint.url(),
                endpoint.events(),
                endpoint.createdAt(),
                secret,
                endpoint.disabledAt(),
                endpoint.disabledReason());
    }

    /** The endpoint's deliveries, newest first, each with every attempt. */
    @GetMapping("/v1/webhook-endpoints/{id}/deliveries")
    List<WebhookDeliveryView> deliveries(Caller caller, @PathVariable String id) {
        WebhookEndpointView endpoint = find(caller, id);
        return jdbc.sql("select * from webhook_deliveries where endpoint_id = ? order by created_at desc limit 100")
                .param(endpoint.id())
                .query((rs, row) -> delivery(rs))
                .list();
    }

    /** Posts the delivery again now (the same webhook-id), whatever became of it; the endpoint must be enabled. */
    @PostMapping("/v1/webhook-deliveries/{id}/replay")
    ResponseEntity<WebhookDeliveryView> replay(Caller caller, @PathVariable String id) {
        int changed = jdbc.sql("""
                        update webhook_deliveries d set status = 'PENDING', next_attempt_at = now(), finished_at = null
                        from webhook_endpoints e
                        where d.id = ? and e.id = d.endpoint_id and e.account_id = ? and e.disabled_at is null
                        """).params(id, caller.accountId()).update();
        if (changed == 0) {
            throw ApiException.notFound(
                    "no delivery " + id + " to an enabled endpoint of this account",
                    "delivery ids come from GET /v1/webhook-endpoints/{id}/deliveries");
        }
        jdbc.sql("select pg_notify(?, '')")
                .param(dev.paperpod.store.WebhookEvents.CHANNEL)
                .query()
                .listOfRows();
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(jdbc.sql("select * from webhook_deliveries where id = ?")
                        .param(id)
                        .query((rs, row) -> delivery(rs))
                        .single());
    }

    private WebhookEndpointView find(Caller caller, String id) {
        UUID endpointId;
        try {
            endpointId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw notFound(id);
        }
        return jdbc.sql("select * from webhook_endpoints where id = ? and account_id = ?")
                .params(endpointId, caller.accountId())
                .query(WebhookController::endpoint)
                .optional()
                .orElseThrow(() -> notFound(id));
    }

    private WebhookDeliveryView delivery(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        List<WebhookDeliveryView.Attempt> log = jdbc.sql(
                        "select * from webhook_attempts where delivery_id = ? order by attempt")
                .param(id)
                .query((a, row) -> new WebhookDeliveryView.Attempt(
                        a.getInt("attempt"),
                        a.getTimestamp("at").toInstant(),
                        (Integer) a.getObject("status_code"),
                        a.getString("error"),
                        a.getLong("duration_ms")))
                .list();
        return new WebhookDeliveryView(
                id,
                rs.getString("event_type"),
                rs.getString("status"),
                rs.getInt("attempts"),
                rs.getTimestamp("created_at").toInstant(),
                instant(rs.getTimestamp("next_attempt_at")),
                instant(rs.getTimestamp("finished_at")),
                log);
    }

    private static WebhookEndpointView endpoint(ResultSet rs, int row) throws SQLException {
        return new WebhookEndpointView(
                rs.getObject("id", UUID.class),
                rs.getString("url"),
                Arrays.asList((String[]) rs.getArray("events").getArray()),
                rs.getTimestamp("created_at").toInstant(),
                null,
                instant(rs.getTimestamp("disabled_at")),
                rs.getString("disabled_reason"));
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** {@code whsec_} and 24 random bytes, base64: what Standard Webhooks libraries accept. */
    private static String newSecret() {
        byte[] key = new byte[24];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound(
                "no webhook endpoint " + id, "endpoint ids come from POST or GET /v1/webhook-endpoints");
    }
}
