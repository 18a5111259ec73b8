package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.event.JobOutput;

/** Where a run's output goes while it runs, besides its result. */
@FunctionalInterface
public interface OutputSink {

    OutputSink NONE = (stream, text) -> {};

    /** Text as it came, decoded as UTF-8 across chunk boundaries. */
    void accept(JobOutput.Stream stream, String text);
}
