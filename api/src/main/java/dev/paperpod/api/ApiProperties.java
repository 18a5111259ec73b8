package dev.paperpod.api;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the API.
 *
 * @param instanceId names this instance; its sync replies arrive on {@code paperpod.replies.<instanceId>}
 * @param defaultTimeout a job's wall-clock limit when the request names none
 * @param maxTimeout the largest {@code timeoutMs} a request may ask for
 * @param syncQueueGrace how long a sync caller waits, beyond its job's timeout, for a worker to take the job
 * @param maxWait the longest long poll, {@code GET /v1/jobs/{id}?wait=}
 * @param maxBodySize the largest request body accepted; jobs travel whole on Kafka, whose records are capped at
 *     {@link dev.paperpod.schemas.Topics#MAX_MESSAGE_BYTES}
 * @param devToken a development token to register for the {@code dev} account at start-up, or null
 * @param heartbeatStaleness how old a worker's or the outbox relay's heartbeat may be for {@code /health} to count it
 * @param maxBatchBodySize the largest {@code POST /v1/batches} body (10,000 jobs with their code)
 * @param maxQueuedPerAccount background jobs an account may have waiting before submissions get 429 (an account
 *     row's {@code max_queued} overrides it); a batch of 10,000 items fits
 * @param previewDomain preview URLs are {@code <scheme>://<port>-<sandboxId>.<previewDomain>} (a wildcard DNS name
 *     that reaches the api); when unset, {@code localhost:<the port the client called>}, as {@code *.localhost}
 *     resolves to the loopback in browsers and curl
 * @param previewScheme {@code http} or {@code https}, of the preview URLs on {@code previewDomain}
 */
@ConfigurationProperties("paperpod.api")
public record ApiProperties(
        @DefaultValue("api-1") String instanceId,
        @DefaultValue("30s") Duration defaultTimeout,
        @DefaultValue("10m") Duration maxTimeout,
        @DefaultValue("30s") Duration syncQueueGrace,
        @DefaultValue("60s") Duration maxWait,
        @DefaultValue("4MB") DataSize maxBodySize,
        @Nullable String devToken,
        @DefaultValue("10s") Duration heartbeatStaleness,
        @DefaultValue("20000") long maxQueuedPerAccount,
        @DefaultValue("64MB") DataSize maxBatchBodySize,
        @Nullable String previewDomain,
        @DefaultValue("http") String previewScheme) {

    public String replyTopic() {
        return dev.paperpod.schemas.Topics.REPLIES_PREFIX + instanceId;
    }
}
