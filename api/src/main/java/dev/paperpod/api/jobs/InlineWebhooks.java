package dev.paperpod.api.jobs;

import dev.paperpod.api.web.ApiException;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A job's or batch's own {@code webhookUrl}: it names one of the account's webhook endpoints, whose secret signs the
 * deliveries and whose log records them; that endpoint then hears of this job's (batch's) end whatever its filter.
 * A URL no endpoint has is refused, so nothing is ever posted unsigned or to an address the SSRF guard did not see.
 */
@Component
class InlineWebhooks {

    private final JdbcClient jdbc;

    InlineWebhooks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** @throws ApiException 400 when no enabled endpoint of the account has the URL */
    @Nullable
    String check(UUID account, @Nullable String url) {
        if (url == null) {
            return null;
        }
        long endpoints = jdbc.sql(
                        "select count(*) from webhook_endpoints where account_id = ? and url = ? and disabled_at is null")
                .params(account, url)
                .query(Long.class)
                .single();
        if (endpoints == 0) {
            throw ApiException.invalidField(
                    "webhookUrl",
                    "no enabled webhook endpoint of this account has the URL " + url,
                    "register it with POST /v1/webhook-endpoints (its secret signs the deliveries), then pass its URL");
        }
        return url;
    }

    /** Records the job's webhook URL, in the caller's transaction. */
    void attach(UUID jobId, String url) {
        jdbc.sql("update jobs set webhook_url = ? where id = ?")
                .params(url, jobId)
                .update();
    }
}
