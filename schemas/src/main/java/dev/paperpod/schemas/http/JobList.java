package dev.paperpod.schemas.http;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code GET /v1/jobs}: a page of jobs, newest first.
 *
 * @param nextCursor pass as {@code ?cursor=} for the next page; absent on the last page
 */
public record JobList(
        List<JobView> data, boolean hasMore, @Nullable String nextCursor) {}
