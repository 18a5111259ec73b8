package dev.paperpod.scheduler;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the scheduler.
 *
 * @param instanceId names this scheduler in component heartbeats
 * @param heartbeatInterval how often the scheduler records that its outbox relay runs
 * @param outbox the Debezium outbox relay
 * @param lifecycle retries and the sweeper
 * @param dispatch the dispatcher that hands waiting jobs to Kafka
 * @param webhooks the sender of webhook deliveries
 * @param projector the projector of job events into PostgreSQL
 */
@ConfigurationProperties("paperpod.scheduler")
public record SchedulerProperties(
        @DefaultValue("scheduler-1") String instanceId,
        @DefaultValue("2s") Duration heartbeatInterval,
        @DefaultValue Outbox outbox,
        @DefaultValue Lifecycle lifecycle,
        @DefaultValue Dispatch dispatch,
        @DefaultValue Webhooks webhooks,
        @DefaultValue Projector projector) {

    /**
     * The projector takes events in batches, one transaction each: its consumer's {@code fetch.min.bytes} and
     * {@code fetch.max.wait.ms}. A job's state shows at most {@code fetchMaxWait} after its event, and a background
     * job's slot is given to the next job only then.
     *
     * @param fetchMinBytes how much the broker gathers before answering, if it comes within {@code fetchMaxWait}
     * @param fetchMaxWait how long the broker waits for {@code fetchMinBytes}
     */
    public record Projector(
            @DefaultValue("64KB") DataSize fetchMinBytes,
            @DefaultValue("20ms") Duration fetchMaxWait) {}

    /**
     * @param retrySchedule the wait before each attempt: the first is immediate, then (Standard Webhooks' schedule)
     *     5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; its length is the number of attempts. A {@code Retry-After}
     *     answer that asks for longer is honoured.
     * @param timeout how long an endpoint has to answer
     * @param concurrency deliveries posted at once
     * @param interval how often the sender looks for due deliveries without being woken
     */
    public record Webhooks(
            @DefaultValue({"0s", "5s", "5m", "30m", "2h", "5h", "10h", "10h"})
            List<Duration> retrySchedule,

            @DefaultValue("15s") Duration timeout,
            @DefaultValue("4") int concurrency,
            @DefaultValue("250ms") Duration interval) {}

    /**
     * @param accountConcurrency jobs one account may have dispatched or running at once, unless its account row says
     *     otherwise ({@code accounts.max_concurrency})
     * @param prefetch how many jobs per unit of a kind's capacity (an exec sandbox) may be in flight (on Kafka or
     *     running): above 1 a worker never waits for the dispatcher; the lower, the sooner a new high-priority job
     *     overtakes waiting ones. A job counts until its end is projected, {@code projector.fetchMaxWait} and the
     *     worker's event linger after it ran: 4 keeps the sandboxes busy through that
     * @param interval how often the dispatcher looks without being woken (jobs whose {@code runAt} came, workers
     *     that appeared); submissions and job ends wake it at once
     * @param batch jobs per dispatching transaction
     * @param workerFreshness a worker counts for capacity if heard from this recently
     */
    public record Dispatch(
            @DefaultValue("16") int accountConcurrency,
            @DefaultValue("4") int prefetch,
            @DefaultValue("250ms") Duration interval,
            @DefaultValue("200") int batch,
            @DefaultValue("10s") Duration workerFreshness) {}

    /**
     * @param retryBackoff the wait before the second attempt after an infrastructure fault; doubled for each later
     *     one (with jitter, so jobs failed together do not come back together)
     * @param maxRetryBackoff the longest wait between attempts
     * @param sweepInterval how often the sweeper looks for due retries, silent workers and overdue jobs
     * @param workerSilence how long a worker may go unheard (heartbeats) before its running jobs count as lost;
     *     longer than the workers' Kafka session timeout, so Kafka hands a dead worker's records to another first
     * @param deadlineGrace how far past its own timeout a running job may go before the sweeper ends it
     * @param sweepBatch how many jobs one sweep handles per kind of work
     * @param idempotencyKeyRetention how long an {@code Idempotency-Key} and its stored answer are kept (at least
     *     24 h, as Stripe's are)
     */
    public record Lifecycle(
            @DefaultValue("1s") Duration retryBackoff,
            @DefaultValue("5m") Duration maxRetryBackoff,
            @DefaultValue("1s") Duration sweepInterval,
            @DefaultValue("30s") Duration workerSilence,
            @DefaultValue("60s") Duration deadlineGrace,
            @DefaultValue("200") int sweepBatch,
            @DefaultValue("24h") Duration idempotencyKeyRetention) {}

    /**
     * @param enabled run the embedded Debezium relay here; off when Debezium runs on Kafka Connect instead
     * @param slotName the logical replication slot (created by the V2 migration)
     * @param publicationName the publication of the outbox table (created by the V1 migration)
     * @param offsetDir where the relay keeps its position, in a file named after the database it reads (so a new
     *     database never inherits an old position); losing it costs duplicates, never records
     * @param pollInterval how long Debezium sleeps when the WAL has nothing new (records leave one by one as soon
     *     as they are read): an idle relay's extra latency, at most this much. Each interval also costs Debezium up
     *     to a millisecond of spinning (its timer counts whole milliseconds), so below 10 ms it burns CPU for little
     * @param restartBackoff how long to wait before restarting a relay that failed (Kafka or PostgreSQL down)
     * @param databaseHost overrides the host taken from {@code spring.datasource.url}
     */
    public record Outbox(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("paperpod_outbox") String slotName,
            @DefaultValue("paperpod_outbox") String publicationName,
            Path offsetDir,
            @DefaultValue("10ms") Duration pollInterval,
            @DefaultValue("2s") Duration restartBackoff,
            @Nullable String databaseHost) {}
}
