package dev.paperpod.api.jobs;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.http.JobOptions;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobKindContract;
import dev.paperpod.schemas.job.JobKinds;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads job requests of every kind: the {@link JobOptions} all kinds share ({@code kind}, attempts, priority, start
 * time, webhook), then the rest of the object through the kind's {@link JobSpecParser}. Fails at start-up when a
 * registered kind has no parser here, so no kind is ever silently unsubmittable.
 */
@Component
public class JobRequests {

    static final int DEFAULT_ATTEMPTS = 3;
    static final int MAX_ATTEMPTS = 10;
    static final Duration MAX_DELAY = Duration.ofDays(30);

    private final Map<JobKind, JobSpecParser> parsers = new HashMap<>();

    public JobRequests(List<JobSpecParser> parsers) {
        for (JobSpecParser parser : parsers) {
            if (JobKinds.find(parser.kind().wireName()).isEmpty()) {
                throw new IllegalStateException("a request parser of job kind '" + parser.kind() + "' ("
                        + parser.getClass().getName() + "), which is not registered (registered: "
                        + JobKinds.wireNames() + ")");
            }
            JobSpecParser before = this.parsers.putIfAbsent(parser.kind(), parser);
            if (before != null) {
                throw new IllegalStateException("two request parsers of job kind '" + parser.kind() + "': "
                        + before.getClass().getName() + " and "
                        + parser.getClass().getName());
            }
        }
        for (JobKindContract kind : JobKinds.all()) {
            if (!this.parsers.containsKey(kind.kind())) {
                throw new IllegalStateException("job kind '" + kind.kind() + "' is registered but the api has no "
                        + JobSpecParser.class.getSimpleName() + " bean for it: its jobs could not be submitted");
            }
        }
    }

    /**
     * A background job as {@code POST /v1/jobs} (and each item of a batch) asks for it.
     *
     * @param now a {@code runAt} before it means now
     */
    public Background background(ObjectNode request, Instant now) {
        ObjectNode own = request.deepCopy();
        ObjectNode shared = own.objectNode();
        for (String field : JobOptions.FIELDS) {
            if (own.has(field)) {
                shared.set(field, own.remove(field));
            }
        }
        JobOptions options = JsonBody.bind(shared, JobOptions.class);
        JobKind kind = kind(options.kind());
        JobSpec spec = parsers.get(kind).parseBackground(own);
        return new Background(
                spec,
                maxAttempts(options.maxAttempts()),
                priority(options.priority()),
                runAt(options.runAt(), now),
                options.webhookUrl());
    }

    /**
     * A job of {@code kind} for one of the kind's sync endpoints ({@code POST /execute}): it runs at once, so the
     * options of background jobs are refused, naming the one sent.
     */
    public JobSpec sync(JobKind kind, ObjectNode request) {
        for (String field : JobOptions.FIELDS) {
            if (request.has(field)) {
                throw ApiException.invalidField(
                        field,
                        field + " applies to background jobs only",
                        "leave it out here (the job runs at once and its client retries), or submit with POST /v1/jobs");
            }
        }
        return parsers.get(kind).parse(request);
    }

    /**
     * A background job as asked for.
     *
     * @param maxAttempts attempts infrastructure faults may use
     * @param runAt null: as soon as possible
     * @param webhookUrl the account endpoint to tell of its end, as given (not checked yet)
     */
    public record Background(
            JobSpec spec,
            int maxAttempts,
            JobPriority priority,
            @Nullable Instant runAt,
            @Nullable String webhookUrl) {}

    /** The kind named, exec when none is; a name no registered kind has is a 400 naming the field {@code kind}. */
    static JobKind kind(@Nullable String name) {
        if (name == null) {
            return JobKind.EXEC;
        }
        return JobKinds.find(name)
                .map(JobKindContract::kind)
                .orElseThrow(() -> ApiException.invalidField(
                        "kind", "kind '" + name + "' is not a job kind", "use one of: " + JobKinds.wireNames()));
    }

    private static int maxAttempts(@Nullable Integer max) {
        if (max == null) {
            return DEFAULT_ATTEMPTS;
        }
        if (max < 1 || max > MAX_ATTEMPTS) {
            throw ApiException.invalidField(
                    "maxAttempts",
                    "maxAttempts must be between 1 and " + MAX_ATTEMPTS + ", not " + max,
                    "leave it out for " + DEFAULT_ATTEMPTS + "; only infrastructure faults use attempts");
        }
        return max;
    }

    private static JobPriority priority(@Nullable String priority) {
        if (priority == null) {
            return JobPriority.NORMAL;
        }
        return JobPriority.fromWireName(priority)
                .orElseThrow(() -> ApiException.invalidField(
                        "priority",
                        "priority '" + priority + "' is not one",
                        "use one of: " + JobPriority.wireNames()));
    }

    private static @Nullable Instant runAt(@Nullable String runAt, Instant now) {
        if (runAt == null) {
            return null;
        }
        Instant at;
        try {
            at = Instant.parse(runAt);
        } catch (DateTimeParseException e) {
            throw ApiException.invalidField(
                    "runAt",
                    "runAt '" + runAt + "' is not an ISO-8601 instant",
                    "send UTC like 2026-11-28T12:00:00Z, or leave it out to run as soon as possible");
        }
        if (at.isAfter(now.plus(MAX_DELAY))) {
            throw ApiException.invalidField(
                    "runAt",
                    "runAt is more than " + MAX_DELAY.toDays() + " days ahead",
                    "schedule at most " + MAX_DELAY.toDays() + " days ahead");
        }
        return at.isAfter(now) ? at : null;
    }
}
