package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.job.JobSource;
import java.util.concurrent.CompletableFuture;

/** Where a worker reports what happens to its jobs. */
public interface JobEventPublisher {

    /**
     * Publishes an event of a job from {@code source}; completes when it is durably stored. A background job's
     * events may wait a few milliseconds to travel with others (nobody waits on them that closely); a sync job's
     * go at once.
     */
    CompletableFuture<?> publish(JobEvent event, JobSource source);

    /** Answers the client waiting on a sync job; completes when the reply is durably stored. */
    CompletableFuture<?> reply(ReplyAddress to, JobFinished finished);

    /** Where a sync job's client waits. */
    record ReplyAddress(String topic, byte[] correlationId) {}
}
