package dev.paperpod.schemas.event;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A whole run in one record: its start, its output and its end, for a run that ended before the worker's hold time
 * (most do, in milliseconds) — one record where there would be three or more. Consumers apply the parts as if they
 * had come one by one, each under its own event id; the record's own id and time are those of its end.
 *
 * @param started the run's {@code job.started}, not sent on its own
 * @param output the run's {@code job.output} chunks in order (empty when it printed nothing or does not stream)
 * @param finished the run's {@code job.finished}
 */
public record JobRan(
        UUID eventId, UUID jobId, Instant at, JobStarted started, List<JobOutput> output, JobFinished finished)
        implements JobEvent {

    public JobRan {
        output = List.copyOf(output);
        if (!started.jobId().equals(jobId) || !finished.jobId().equals(jobId)) {
            throw new IllegalArgumentException("the parts of a run belong to its job " + jobId);
        }
    }

    public JobRan(JobStarted started, List<JobOutput> output, JobFinished finished) {
        this(finished.eventId(), finished.jobId(), finished.at(), started, output, finished);
    }
}
