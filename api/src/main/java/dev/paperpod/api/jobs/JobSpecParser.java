package dev.paperpod.api.jobs;

import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSpec;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a job kind brings to the api: how its spec is read from a request. A Spring bean of the api's context, one per
 * registered kind ({@link JobRequests} refuses to start without one). {@code POST /v1/jobs}, batches and the kind's own
 * sync endpoints all read the kind's fields through it.
 */
public interface JobSpecParser {

    JobKind kind();

    /**
     * The kind's spec from its own fields of a request (the shared job options are taken out before), with the
     * server's defaults applied.
     *
     * @throws dev.paperpod.api.web.ApiException 400 naming the field at fault, an unknown field among them
     */
    JobSpec parse(ObjectNode fields);

    /**
     * The spec of a background job ({@code POST /v1/jobs}, batches): as {@link #parse}, unless the kind has fields that
     * only a sync call can honour (a browser session lives on one worker, which a queued job does not reach).
     */
    default JobSpec parseBackground(ObjectNode fields) {
        return parse(fields);
    }
}
