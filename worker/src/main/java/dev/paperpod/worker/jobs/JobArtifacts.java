package dev.paperpod.worker.jobs;

import dev.paperpod.artifacts.ArtifactStore;
import dev.paperpod.schemas.job.ArtifactRef;
import dev.paperpod.schemas.job.JobEnvelope;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Keeps the files a job gives in the artifact store, for its time to live ({@code paperpod.artifacts.ttl}): its
 * result carries the references. A store that cannot take a file fails the attempt (retryable), never the job's
 * result half-kept.
 */
public final class JobArtifacts {

    private final ArtifactStore store;
    private final Duration ttl;
    private final Clock clock;

    public JobArtifacts(ArtifactStore store, Duration ttl, Clock clock) {
        this.store = store;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Keeps {@code file} (moved into the store) as the job's artifact {@code name}. */
    public ArtifactRef keep(JobEnvelope job, String name, String contentType, Path file) throws JobFailure {
        return kept(name, expiresAt -> store.put(job.jobId(), job.accountId(), name, contentType, file, expiresAt));
    }

    /** Keeps {@code content} as the job's artifact {@code name}. */
    public ArtifactRef keep(JobEnvelope job, String name, String contentType, byte[] content) throws JobFailure {
        return kept(name, expiresAt -> store.put(job.jobId(), job.accountId(), name, contentType, content, expiresAt));
    }

    /** One way of putting an artifact in the store, until {@code expiresAt}. */
    private interface Put {
        ArtifactRef until(Instant expiresAt) throws IOException;
    }

    private ArtifactRef kept(String name, Put put) throws JobFailure {
        try {
            return put.until(clock.instant().plus(ttl));
        } catch (IOException e) {
            throw failure(name, e);
        }
    }

    private static JobFailure failure(String name, IOException e) {
        return new JobFailure("ARTIFACT_STORE_FAILED", "could not keep " + name + ": " + e, true, e);
    }
}
