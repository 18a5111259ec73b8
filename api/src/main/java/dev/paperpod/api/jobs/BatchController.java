package dev.paperpod.api.jobs;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.http.BatchAccepted;
import dev.paperpod.schemas.http.BatchRequest;
import dev.paperpod.schemas.http.BatchView;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/batches}: up to 10,000 background jobs in one request, accepted together, then followed as one
 * (counts per status, progress) and listed with {@code GET /v1/jobs?batch=<id>}.
 */
@RestController
@RequestMapping("/v1/batches")
class BatchController {

    private final JsonBody body;
    private final AccountBatches batches;
    private final long maxBodyBytes;

    BatchController(JsonBody body, AccountBatches batches, ApiProperties properties) {
        this.body = body;
        this.batches = batches;
        this.maxBodyBytes = properties.maxBatchBodySize().toBytes();
    }

    @PostMapping
    ResponseEntity<BatchAccepted> submit(
            Caller caller,
            HttpServletRequest request,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) @Nullable String idempotencyKey) {
        String key = IdempotencyKeys.validate(idempotencyKey);
        BatchRequest batch = body.read(request, BatchRequest.class, maxBodyBytes);
        AccountBatches.Submitted submitted = batches.submit(caller.accountId(), batch, key);
        ResponseEntity.BodyBuilder response =
                ResponseEntity.accepted().location(URI.create(submitted.answer().url()));
        if (submitted.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(submitted.answer());
    }

    @GetMapping("/{id}")
    BatchView get(Caller caller, @PathVariable String id) {
        return batches.find(parseId(id), caller.accountId()).orElseThrow(() -> notFound(id));
    }

    /** Cancels every job of the batch that has not ended; answers the batch as it stands right after. */
    @PostMapping("/{id}/cancel")
    BatchView cancel(Caller caller, @PathVariable String id) {
        return batches.cancel(parseId(id), caller.accountId()).orElseThrow(() -> notFound(id));
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw notFound(id);
        }
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound(
                "no batch " + id, "check the id; batches are visible only to the account that submitted them");
    }
}
