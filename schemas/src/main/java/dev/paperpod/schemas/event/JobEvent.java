package dev.paperpod.schemas.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.UUID;

/**
 * Something that happened to a job, on {@link dev.paperpod.schemas.Topics#JOB_EVENTS} keyed by job id. Every
 * event has its own id: consumers record the ids they applied, in the same transaction as the effect, so a
 * replayed event changes nothing.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = JobQueued.class, name = "job.queued"),
    @JsonSubTypes.Type(value = JobStarted.class, name = "job.started"),
    @JsonSubTypes.Type(value = JobOutput.class, name = "job.output"),
    @JsonSubTypes.Type(value = JobFinished.class, name = "job.finished"),
    @JsonSubTypes.Type(value = JobRan.class, name = "job.ran")
})
public sealed interface JobEvent permits JobQueued, JobStarted, JobOutput, JobFinished, JobRan {

    UUID eventId();

    UUID jobId();

    Instant at();
}
