package dev.paperpod.scheduler;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the scheduler.
 *
 * @param instanceId names this scheduler in component heartbeats
 * @param heartbeatInterval how often the scheduler records that its outbox relay runs
 * @param outbox the Debezium outbox relay
 */
@ConfigurationProperties("paperpod.scheduler")
public record SchedulerProperties(
        @DefaultValue("scheduler-1") String instanceId,
        @DefaultValue("2s") Duration heartbeatInterval,
        @DefaultValue Outbox outbox) {

    /**
     * @param enabled run the embedded Debezium relay here; off when Debezium runs on Kafka Connect instead
     * @param slotName the logical replication slot (created by the V2 migration)
     * @param publicationName the publication of the outbox table (created by the V1 migration)
     * @param offsetDir where the relay keeps its position, in a file named after the database it reads (so a new
     *     database never inherits an old position); losing it costs duplicates, never records
     * @param pollInterval how long Debezium waits to fill a batch; the floor of the relay's latency
     * @param restartBackoff how long to wait before restarting a relay that failed (Kafka or PostgreSQL down)
     * @param databaseHost overrides the host taken from {@code spring.datasource.url}
     */
    public record Outbox(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("paperpod_outbox") String slotName,
            @DefaultValue("paperpod_outbox") String publicationName,
            Path offsetDir,
            @DefaultValue("5ms") Duration pollInterval,
            @DefaultValue("2s") Duration restartBackoff,
            @Nullable String databaseHost) {}
}
