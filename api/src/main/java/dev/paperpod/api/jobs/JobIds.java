package dev.paperpod.api.jobs;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import java.util.UUID;

/** A job named in a path, as every {@code /v1/jobs/{id}…} endpoint reads it: its id, and the caller's record of it. */
public final class JobIds {

    private JobIds() {}

    /** The id, or 404: an id that is not a UUID names no job. */
    public static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no job " + id, "job ids are UUIDs, as returned by POST /v1/jobs");
        }
    }

    /** The account's job, or 404 (another account's job is not told apart from none). */
    public static JobRecord owned(JobStore store, UUID jobId, UUID accountId) {
        return store.find(jobId).filter(j -> j.accountId().equals(accountId)).orElseThrow(() -> notFound(jobId));
    }

    /** 404: no job of the account's by that id. */
    public static ApiException notFound(UUID jobId) {
        return ApiException.notFound(
                "no job " + jobId, "check the id; jobs are visible only to the account that submitted them");
    }
}
