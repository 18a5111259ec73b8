package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import java.util.concurrent.CompletableFuture;

/** Where a worker reports what happens to its jobs. */
public interface JobEventPublisher {

    /** Publishes an event; completes when it is durably stored. */
    CompletableFuture<?> publish(JobEvent event);

    /** Answers the client waiting on a sync job; completes when the reply is durably stored. */
    CompletableFuture<?> reply(ReplyAddress to, JobFinished finished);

    /** Where a sync job's client waits. */
    record ReplyAddress(String topic, byte[] correlationId) {}
}
