package dev.paperpod.api.jobs;

import dev.paperpod.schemas.http.JobView;
import dev.paperpod.schemas.job.JobEnvelope;
import java.util.Optional;
import java.util.UUID;

/** The jobs the API accepted, and the outbox that hands them to the workers. */
public interface JobRepository {

    /**
     * Stores a new job and its outbox record in one transaction: when this returns, the job is durable and will
     * reach a worker.
     */
    void submit(JobEnvelope job);

    /** The job as its owner sees it, if it exists and belongs to the account. */
    Optional<JobView> find(UUID jobId, UUID accountId);
}
