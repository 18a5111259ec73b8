package dev.paperpod.api.jobs;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.BatchAccepted;
import dev.paperpod.schemas.http.BatchRequest;
import dev.paperpod.schemas.http.BatchView;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.store.BatchStore;
import dev.paperpod.store.DispatchQueue;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** An account's batches: many background jobs accepted in one transaction, followed and canceled as one. */
@Component
class AccountBatches {

    private static final Logger log = LoggerFactory.getLogger(AccountBatches.class);
    static final int MAX_ITEMS = 10_000;
    /** Jobs canceled per save: a batch of 10,000 in statements of a size PostgreSQL plans and runs at ease. */
    private static final int CANCEL_CHUNK = 1_000;

    private static final int SAVE_ROUNDS = 5;

    private final JobRequests requests;
    private final JobStore store;
    private final BatchStore batches;
    private final DispatchQueue queue;
    private final JobControl control;
    private final IdempotencyKeys keys;
    private final Backpressure backpressure;
    private final InlineWebhooks inlineWebhooks;
    private final TransactionTemplate tx;
    private final Clock clock;

    AccountBatches(
            JobRequests requests,
            JobStore store,
            BatchStore batches,
            DispatchQueue queue,
            JobControl control,
            IdempotencyKeys keys,
            Backpressure backpressure,
            InlineWebhooks inlineWebhooks,
            TransactionTemplate tx,
            Clock clock) {
        this.requests = requests;
        this.store = store;
        this.batches = batches;
        this.queue = queue;
        this.control = control;
        this.keys = keys;
        this.backpressure = backpressure;
        this.inlineWebhooks = inlineWebhooks;
        this.tx = tx;
        this.clock = clock;
    }

    /** The answer to a batch submission, and whether it is a stored one replayed for a repeated idempotency key. */
    record Submitted(BatchAccepted answer, boolean replayed) {}

    /**
     * Validates every item (naming the first wrong one, {@code jobs[17].language}), then stores the batch and all
     * its jobs in one transaction: all of them are accepted, or none. Items may be of any kind, mixed.
     */
    Submitted submit(UUID account, BatchRequest request, @Nullable String idempotencyKey) {
        List<ObjectNode> items = items(request);
        String webhookUrl = inlineWebhooks.check(account, request.webhookUrl());
        Instant now = clock.instant();
        UUID batchId = UUID.randomUUID();
        List<JobRecord> jobs = new ArrayList<>(items.size());
        String label = request.jobs() != null ? "jobs" : "inputs";
        for (int i = 0; i < items.size(); i++) {
            try {
                if (items.get(i).has("webhookUrl")) {
                    throw ApiException.invalidField(
                            "webhookUrl",
                            "a batch's jobs take no webhookUrl of their own",
                            "give the batch a webhookUrl (batch.completed), or subscribe an endpoint to job events");
                }
                JobRequests.Background item = requests.background(items.get(i), now);
                jobs.add(JobRecord.waiting(
                        UUID.randomUUID(),
                        account,
                        item.spec().kind().wireName(),
                        "async",
                        1,
                        item.maxAttempts(),
                        now,
                        item.spec(),
                        item.priority(),
                        item.runAt(),
                        null));
            } catch (ApiException e) {
                throw e.inItem(label + "[" + i + "]");
            }
        }
        String url = "/v1/batches/" + batchId;
        BatchAccepted accepted = new BatchAccepted(batchId, jobs.size(), now, url, "/v1/jobs?batch=" + batchId);
        return Objects.requireNonNull(tx.execute(status -> {
            if (idempotencyKey != null) {
                Optional<IdempotencyKeys.Stored> before = keys.claimOrReplay(account, idempotencyKey, request);
                if (before.isPresent()) {
                    return new Submitted(Wire.read(before.get().body(), BatchAccepted.class), true);
                }
            }
            backpressure.admit(account, jobs.size());
            batches.insert(new BatchStore.Batch(batchId, account, jobs.size(), webhookUrl, now, null, null));
            store.insertBatch(jobs, batchId);
            queue.announceWaiting();
            if (idempotencyKey != null) {
                keys.store(account, idempotencyKey, HttpStatus.ACCEPTED.value(), accepted);
            }
            return new Submitted(accepted, false);
        }));
    }

    /** The batch with its jobs counted per status. */
    Optional<BatchView> find(UUID batchId, UUID account) {
        return batches.find(batchId, account).map(this::view);
    }

    private BatchView view(BatchStore.Batch batch) {
        BatchStore.Progress progress = batches.progress(batch.id());
        long ended = progress.counts().entrySet().stream()
                .filter(e -> e.getKey().isTerminal())
                .mapToLong(Map.Entry::getValue)
                .sum();
        return new BatchView(
                batch.id(),
                batch.total(),
                batch.createdAt(),
                new LinkedHashMap<>(progress.counts()),
                ended,
                batch.total() == 0 ? 1.0 : ended / (double) batch.total(),
                progress.firstStartedAt(),
                progress.lastFinishedAt(),
                batch.canceledAt(),
                batch.completedAt(),
                batch.webhookUrl(),
                "/v1/jobs?batch=" + batch.id());
    }

    /**
     * Cancels every job of the batch that has not ended, each as a cancel of the one job would: waiting ones end
     * CANCELED now (with their {@code job.canceled} webhooks, their long polls woken), running ones are killed by their
     * workers and end CANCELED when those report. One transaction; the workers are told after it commits.
     */
    Optional<BatchView> cancel(UUID batchId, UUID account) {
        Instant now = clock.instant();
        List<JobRecord> toTell = tx.execute(status -> {
            if (!batches.markCanceled(batchId, account, now)) {
                return null;
            }
            List<JobRecord> tell = new ArrayList<>();
            List<JobRecord> open = batches.unfinishedJobs(batchId);
            for (int from = 0; from < open.size(); from += CANCEL_CHUNK) {
                cancelAll(open.subList(from, Math.min(open.size(), from + CANCEL_CHUNK)), now, tell);
            }
            store.completeBatches(now);
            return tell;
        });
        if (toTell == null) {
            return Optional.empty();
        }
        // After the commit: the workers drop or kill what the rows now say is canceled.
        for (JobRecord job : toTell) {
            try {
                control.cancel(job);
            } catch (RuntimeException e) {
                // The rows are the truth; a worker that runs a canceled job has its end ignored.
                log.warn(
                        "Job {} of batch {} canceled, but the workers were not told: {}",
                        job.id(),
                        batchId,
                        e.toString());
            }
        }
        return find(batchId, account);
    }

    /**
     * Saves the cancel of each job; a job that changed meanwhile (it started, or ended) is read and decided again.
     * Adds to {@code tell} the jobs a worker may hold: running, or on Kafka already.
     */
    private void cancelAll(List<JobRecord> jobs, Instant now, List<JobRecord> tell) {
        List<JobRecord> pending = jobs;
        for (int round = 1; !pending.isEmpty(); round++) {
            List<JobRecord> changed = new ArrayList<>(pending.size());
            for (JobRecord job : pending) {
                if (!job.status().isTerminal()) {
                    changed.add(job.cancel(now, "the batch was canceled before the job ran"));
                }
            }
            List<JobRecord> lost = store.saveAll(changed);
            for (JobRecord job : changed) {
                if (!lost.contains(job) && (job.status() == JobStatus.RUNNING || job.dispatchedAt() != null)) {
                    tell.add(job);
                }
            }
            if (round == SAVE_ROUNDS && !lost.isEmpty()) {
                throw new dev.paperpod.store.ConcurrentJobModificationException(
                        lost.get(0).id(), lost.get(0).version());
            }
            pending =
                    lost.stream().map(job -> store.find(job.id()).orElseThrow()).toList();
        }
    }

    /** The batch's items: its jobs, or its template merged with each input. */
    private static List<ObjectNode> items(BatchRequest request) {
        boolean listed = request.jobs() != null;
        boolean templated = request.template() != null || request.inputs() != null;
        if (listed == templated) {
            throw ApiException.invalidField(
                    listed ? "template" : "jobs",
                    listed
                            ? "send jobs, or template and inputs, not both"
                            : "a batch needs jobs, or template and inputs",
                    "{\"jobs\":[{…},{…}]} or {\"template\":{…},\"inputs\":[{…},{…}]}");
        }
        if (templated && (request.template() == null || request.inputs() == null)) {
            String missing = request.template() == null ? "template" : "inputs";
            throw ApiException.invalidField(
                    missing,
                    missing + " is required with " + (missing.equals("template") ? "inputs" : "template"),
                    "{\"template\":{…},\"inputs\":[{…},{…}]}");
        }
        String field = listed ? "jobs" : "inputs";
        List<ObjectNode> given = listed ? request.jobs() : request.inputs();
        if (given.isEmpty() || given.size() > MAX_ITEMS) {
            throw ApiException.invalidField(
                    field,
                    "a batch holds 1 to " + MAX_ITEMS + " jobs, not " + given.size(),
                    "split larger work into several batches");
        }
        List<ObjectNode> items = new ArrayList<>(given.size());
        for (int i = 0; i < given.size(); i++) {
            ObjectNode item = given.get(i);
            if (item == null) {
                throw ApiException.invalidField(field + "[" + i + "]", "an item is null", "send a JSON object");
            }
            items.add(listed ? item : merge(request.template(), item));
        }
        return items;
    }

    /** The template with the input's fields over it; objects (an exec job's env) merged field by field. */
    static ObjectNode merge(ObjectNode template, ObjectNode input) {
        ObjectNode merged = template.deepCopy();
        for (Map.Entry<String, JsonNode> field : input.properties()) {
            JsonNode under = merged.get(field.getKey());
            if (under instanceof ObjectNode base && field.getValue() instanceof ObjectNode over) {
                merged.set(field.getKey(), merge(base, over));
            } else {
                merged.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return merged;
    }
}
