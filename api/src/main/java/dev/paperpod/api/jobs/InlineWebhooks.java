package dev.paperpod.api.jobs;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.store.WebhookStore;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * A job's or batch's own {@code webhookUrl}: it names one of the account's webhook endpoints, whose secret signs the
 * deliveries and whose log records them; that endpoint then hears of this job's (batch's) end whatever its filter.
 * A URL no endpoint has is refused, so nothing is ever posted unsigned or to an address the SSRF guard did not see.
 */
@Component
class InlineWebhooks {

    private final WebhookStore webhooks;

    InlineWebhooks(WebhookStore webhooks) {
        this.webhooks = webhooks;
    }

    /** @throws ApiException 400 when no enabled endpoint of the account has the URL */
    @Nullable
    String check(UUID account, @Nullable String url) {
        if (url == null) {
            return null;
        }
        if (!webhooks.hasEnabledEndpoint(account, url)) {
            throw ApiException.invalidField(
                    "webhookUrl",
                    "no enabled webhook endpoint of this account has the URL " + url,
                    "register it with POST /v1/webhook-endpoints (its secret signs the deliveries), then pass its URL");
        }
        return url;
    }

    /** Records the job's webhook URL, in the caller's transaction. */
    void attach(UUID jobId, String url) {
        webhooks.attachToJob(jobId, url);
    }
}
