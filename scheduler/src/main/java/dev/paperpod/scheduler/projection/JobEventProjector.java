package dev.paperpod.scheduler.projection;

import dev.paperpod.messaging.DeadLetters;
import dev.paperpod.schemas.MalformedMessageException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.event.JobQueued;
import dev.paperpod.schemas.event.JobRan;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.store.JobStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Projects job events and worker heartbeats from Kafka into PostgreSQL, a batch per transaction. Each event's id
 * is recorded with its effect, so a redelivered batch changes nothing. The offsets are committed after the
 * transaction: a crash in between redelivers, never loses.
 */
@Component
class JobEventProjector {

    private static final Logger log = LoggerFactory.getLogger(JobEventProjector.class);

    private final JobProjection projection;
    private final TransactionTemplate tx;
    private final DeadLetterPublishingRecoverer deadLetters;

    JobEventProjector(JobProjection projection, TransactionTemplate tx, KafkaOperations<Object, Object> kafka) {
        this.projection = projection;
        this.tx = tx;
        this.deadLetters = DeadLetters.recoverer(kafka);
    }

    /**
     * Applies a batch of events in one transaction. The consumer waits up to {@code projector.fetch-max-wait} for
     * events to gather rather than take each one as it comes: fewer, larger transactions (one commit, one poll and one
     * offset commit for several events) for that much more before a job's state shows (the trade is measured in
     * docs/benchmarks.md).
     */
    @KafkaListener(
            id = "job-events",
            topics = "#{T(dev.paperpod.schemas.Topics).JOB_EVENTS}",
            groupId = "paperpod-projector",
            batch = "true",
            properties = {
                "fetch.min.bytes=#{@projectorSettings.fetchMinBytes().toBytes()}",
                "fetch.max.wait.ms=#{@projectorSettings.fetchMaxWait().toMillis()}"
            })
    void onEvents(List<ConsumerRecord<String, byte[]>> records) {
        tx.executeWithoutResult(status -> apply(records));
    }

    @KafkaListener(
            id = "worker-heartbeats",
            topics = "#{T(dev.paperpod.schemas.Topics).WORKERS}",
            groupId = "paperpod-projector",
            batch = "true")
    void onHeartbeats(List<ConsumerRecord<String, byte[]>> records) {
        tx.executeWithoutResult(status -> {
            for (ConsumerRecord<String, byte[]> record : records) {
                try {
                    projection.heartbeat(Wire.read(record.value(), WorkerHeartbeat.class));
                } catch (MalformedMessageException e) {
                    deadLetter(record, e);
                }
            }
        });
    }

    /**
     * Sets a malformed record aside on its dead-letter topic, inside the batch's transaction: if the send fails, the
     * whole batch is delivered again rather than the record lost.
     */
    private void deadLetter(ConsumerRecord<String, byte[]> record, MalformedMessageException e) {
        log.error(
                "Dead-lettering a malformed record at {}-{}@{}: {}",
                record.topic(),
                record.partition(),
                record.offset(),
                e.getMessage());
        deadLetters.accept(record, e);
    }

    /**
     * Applies a batch: the events are read first, their ids recorded in one statement, then each applied in order —
     * an id seen before (an earlier delivery, or a copy earlier in this batch) changes nothing. The short runs
     * ({@code job.ran}) that are all new and the only event of their job in the batch — nearly every background job
     * — are applied together first: their order against the other events does not matter, being of other jobs. The
     * statement that records the ids also reads the jobs of the short runs that are their job's only event (the
     * candidates for going together), so that a batch of them takes three statements and the commit.
     */
    private void apply(List<ConsumerRecord<String, byte[]>> records) {
        List<JobEvent> events = new ArrayList<>(records.size());
        List<UUID> ids = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            JobEvent event;
            try {
                event = Wire.read(record.value(), JobEvent.class);
            } catch (MalformedMessageException e) {
                deadLetter(record, e);
                continue;
            }
            events.add(event);
            if (event instanceof JobRan ran) {
                ids.add(ran.started().eventId());
                ids.add(ran.finished().eventId());
            } else if (!(event instanceof JobOutput)) { // output is idempotent by (job, attempt, seq)
                ids.add(event.eventId());
            }
        }
        Map<UUID, Integer> eventsPerJob = new HashMap<>();
        events.forEach(e -> eventsPerJob.merge(e.jobId(), 1, Integer::sum));
        List<JobRan> alone = new ArrayList<>();
        for (JobEvent event : events) {
            if (event instanceof JobRan ran && eventsPerJob.getOrDefault(ran.jobId(), 0) == 1) {
                alone.add(ran);
            }
        }
        JobStore.Arrivals arrivals = projection.firstTime(ids, alone);
        Set<UUID> fresh = arrivals.fresh();
        List<JobRan> together = new ArrayList<>();
        for (JobRan ran : alone) {
            if (fresh.contains(ran.started().eventId())
                    && fresh.contains(ran.finished().eventId())) {
                together.add(ran);
            }
        }
        projection.ranAll(together, arrivals.jobs());
        Set<JobEvent> applied = Collections.newSetFromMap(new IdentityHashMap<>());
        applied.addAll(together);
        // remove(): a second copy of an event in this batch is not fresh
        for (JobEvent event : events) {
            if (applied.contains(event)) {
                continue;
            } else if (event instanceof JobOutput output) {
                projection.output(output); // read by GET /v1/jobs/{id}/events
            } else if (event instanceof JobRan ran) {
                boolean start = fresh.remove(ran.started().eventId());
                boolean end = fresh.remove(ran.finished().eventId());
                projection.ran(ran, start, end);
            } else if (fresh.remove(event.eventId())) {
                if (event instanceof JobQueued queued) {
                    projection.queued(queued);
                } else if (event instanceof JobStarted started) {
                    projection.started(started);
                } else if (event instanceof JobFinished finished) {
                    projection.finished(finished);
                }
            }
        }
    }
}
