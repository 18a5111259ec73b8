package dev.paperpod.schemas.http;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Body of {@code POST /v1/batches}: up to 10,000 jobs, either listed one by one ({@code jobs}) or as one
 * {@code template} and a list of {@code inputs}, each input overriding the template's fields (objects, such as an exec
 * job's {@code env}, are merged field by field). Each item is a job request as {@code POST /v1/jobs} takes it: its
 * {@link JobOptions} and its kind's own fields.
 *
 * @param webhookUrl called once every job of the batch has ended (with webhooks)
 */
public record BatchRequest(
        @Nullable List<ObjectNode> jobs,
        @Nullable ObjectNode template,
        @Nullable List<ObjectNode> inputs,
        @Nullable String webhookUrl) {}
