package dev.paperpod.schemas.http;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /v1/batches}: up to 10,000 jobs, either listed one by one ({@code jobs}) or as one
 * {@code template} and a list of {@code inputs}, each input overriding the template's fields ({@code env} entries
 * are added to the template's).
 *
 * @param webhookUrl called once every job of the batch has ended (with webhooks)
 */
public record BatchRequest(
        @Nullable List<ExecRequest> jobs,
        @Nullable ExecRequest template,
        @Nullable List<ExecRequest> inputs,
        @Nullable String webhookUrl) {}
