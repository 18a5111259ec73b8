package dev.paperpod.api.webhooks;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.http.WebhookDeliveryView;
import dev.paperpod.schemas.http.WebhookEndpointRequest;
import dev.paperpod.schemas.http.WebhookEndpointView;
import dev.paperpod.store.WebhookStore;
import dev.paperpod.store.WebhookTargets;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
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
    private final WebhookStore webhooks;
    private final WebhookTargets targets;
    private final Clock clock;

    WebhookController(
            JsonBody body,
            WebhookStore webhooks,
            @Value("${paperpod.webhooks.allowed-targets:}") List<String> allowedTargets,
            Clock clock) {
        this.body = body;
        this.webhooks = webhooks;
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
        webhooks.createEndpoint(
                new WebhookStore.Endpoint(id, caller.accountId(), endpoint.url(), events, secret, now, null, null));
        return ResponseEntity.created(URI.create("/v1/webhook-endpoints/" + id))
                .body(new WebhookEndpointView(id, endpoint.url(), events, now, secret, null, null));
    }

    @GetMapping("/v1/webhook-endpoints")
    List<WebhookEndpointView> list(Caller caller) {
        return webhooks.endpoints(caller.accountId()).stream()
                .map(e -> view(e, null))
                .toList();
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
        webhooks.rotateSecret(endpoint.id(), secret, clock.instant().plus(Duration.ofHours(ROTATION_HOURS)));
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
        return webhooks.deliveries(endpoint.id(), 100).stream()
                .map(WebhookController::view)
                .toList();
    }

    /** Posts the delivery again now (the same webhook-id), whatever became of it; the endpoint must be enabled. */
    @PostMapping("/v1/webhook-deliveries/{id}/replay")
    ResponseEntity<WebhookDeliveryView> replay(Caller caller, @PathVariable String id) {
        WebhookStore.Delivery delivery = webhooks.replay(id, caller.accountId())
                .orElseThrow(() -> ApiException.notFound(
                        "no delivery " + id + " to an enabled endpoint of this account",
                        "delivery ids come from GET /v1/webhook-endpoints/{id}/deliveries"));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(view(delivery));
    }

    private WebhookEndpointView find(Caller caller, String id) {
        UUID endpointId;
        try {
            endpointId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw notFound(id);
        }
        return webhooks.endpoint(endpointId, caller.accountId())
                .map(e -> view(e, null))
                .orElseThrow(() -> notFound(id));
    }

    /** An endpoint as its owner sees it; its secret only where given (at creation and rotation). */
    private static WebhookEndpointView view(WebhookStore.Endpoint e, @Nullable String secret) {
        return new WebhookEndpointView(
                e.id(), e.url(), e.events(), e.createdAt(), secret, e.disabledAt(), e.disabledReason());
    }

    private static WebhookDeliveryView view(WebhookStore.Delivery d) {
        return new WebhookDeliveryView(
                d.id(),
                d.eventType(),
                d.status(),
                d.attempts(),
                d.createdAt(),
                d.nextAttemptAt(),
                d.finishedAt(),
                d.log().stream()
                        .map(a -> new WebhookDeliveryView.Attempt(
                                a.attempt(), a.at(), a.statusCode(), a.error(), a.durationMs()))
                        .toList());
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
