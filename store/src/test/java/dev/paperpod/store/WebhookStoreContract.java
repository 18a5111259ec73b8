package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.job.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link WebhookStore} does: endpoints per account, a delivery created by the save that ends a job, claimed
 * with a lease, its attempts logged, retried, finished, replayed; an endpoint disabled takes no more.
 */
abstract class WebhookStoreContract {

    protected abstract Stores stores();

    @Test
    void anEndpointIsItsAccountsAndItsSecretRotates() {
        Stores stores = stores();
        WebhookStore webhooks = stores.webhooks();
        UUID account = stores.account();
        Instant at = Stores.now();
        WebhookStore.Endpoint endpoint = new WebhookStore.Endpoint(
                UUID.randomUUID(), account, "https://example.com/a", List.of("job.failed"), "whsec_a", at, null, null);
        webhooks.createEndpoint(endpoint);

        assertThat(webhooks.endpoints(account)).containsExactly(endpoint);
        assertThat(webhooks.endpoint(endpoint.id(), stores.account())).isEmpty();
        assertThat(webhooks.hasEnabledEndpoint(account, "https://example.com/a"))
                .isTrue();
        assertThat(webhooks.hasEnabledEndpoint(account, "https://example.com/b"))
                .isFalse();

        webhooks.rotateSecret(endpoint.id(), "whsec_b", at.plusSeconds(60));
        assertThat(webhooks.endpoint(endpoint.id(), account).orElseThrow().secret())
                .isEqualTo("whsec_b");

        webhooks.disableEndpoint(endpoint.id(), "gone", at);
        assertThat(webhooks.hasEnabledEndpoint(account, "https://example.com/a"))
                .isFalse();
        assertThat(webhooks.endpoint(endpoint.id(), account).orElseThrow())
                .returns(at, WebhookStore.Endpoint::disabledAt)
                .returns("gone", WebhookStore.Endpoint::disabledReason);
    }

    @Test
    void aJobsEndIsDeliveredThroughClaimsAttemptsRetriesAndAReplay() {
        Stores stores = stores();
        WebhookStore webhooks = stores.webhooks();
        UUID account = stores.account();
        Instant at = Stores.now();
        WebhookStore.Endpoint endpoint = new WebhookStore.Endpoint(
                UUID.randomUUID(), account, "https://example.com/hook", List.of(), "whsec_x", at, null, null);
        webhooks.createEndpoint(endpoint);
        JobRecord job = Stores.queuedJob(account);
        stores.jobs().insert(job);
        stores.jobs()
                .save(stores.jobs()
                        .find(job.id())
                        .orElseThrow()
                        .started(1, "w", at)
                        .ended(JobStatus.SUCCEEDED, null, null, null, at, at));

        List<WebhookStore.Due> due = claimMine(webhooks, endpoint, at);
        assertThat(due).singleElement().satisfies(d -> {
            assertThat(d.attempt()).isEqualTo(1);
            assertThat(d.url()).isEqualTo("https://example.com/hook");
            assertThat(d.secret()).isEqualTo("whsec_x");
            assertThat(d.payload()).contains(job.id().toString()).contains("job.succeeded");
        });
        assertThat(claimMine(webhooks, endpoint, at)).as("leased").isEmpty();

        String id = due.get(0).id();
        webhooks.recordAttempt(id, 1, at, 500, null, 12);
        webhooks.recordAttempt(id, 1, at, 500, null, 12); // replayed: kept once
        webhooks.retryAt(id, 1, at);
        List<WebhookStore.Due> again = claimMine(webhooks, endpoint, at.plusSeconds(1));
        assertThat(again).extracting(WebhookStore.Due::attempt).containsExactly(2);
        webhooks.recordAttempt(id, 2, at.plusSeconds(1), null, "no answer", 1000);
        webhooks.finish(id, "SUCCEEDED", 2, at.plusSeconds(2));

        assertThat(webhooks.deliveries(endpoint.id(), 10)).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo("SUCCEEDED");
            assertThat(d.eventType()).isEqualTo("job.succeeded");
            assertThat(d.attempts()).isEqualTo(2);
            assertThat(d.log()).extracting(WebhookStore.Attempt::statusCode).containsExactly(500, null);
        });
        assertThat(webhooks.replay(id, stores.account()))
                .as("not that account's")
                .isEmpty();
        assertThat(webhooks.replay(id, account))
                .hasValueSatisfying(d -> assertThat(d.status()).isEqualTo("PENDING"));
        assertThat(claimMine(webhooks, endpoint, Stores.now().plusSeconds(1))).hasSize(1);
    }

    /** Claims what is due now for this endpoint alone (other tests' deliveries may be due too). */
    private static List<WebhookStore.Due> claimMine(
            WebhookStore webhooks, WebhookStore.Endpoint endpoint, Instant now) {
        return webhooks.claimDue(now.plusSeconds(5), 1000, now.plusSeconds(3600)).stream()
                .filter(d -> d.endpointId().equals(endpoint.id()))
                .toList();
    }
}
