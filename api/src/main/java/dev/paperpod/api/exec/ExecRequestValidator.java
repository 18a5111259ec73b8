package dev.paperpod.api.exec;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.http.ExecRequest;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.Language;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/** Checks an {@link ExecRequest} field by field and turns it into an {@link ExecSpec}, applying defaults. */
@Component
public class ExecRequestValidator {

    private static final int DEFAULT_ATTEMPTS = 3;
    private static final Duration MAX_DELAY = Duration.ofDays(30);
    private static final int MAX_ATTEMPTS = 10;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final ApiProperties properties;

    public ExecRequestValidator(ApiProperties properties) {
        this.properties = properties;
    }

    public ExecSpec toSpec(ExecRequest request) {
        if (request.code() == null) {
            throw ApiException.invalidField("code", "code is required", "send the program text as \"code\"");
        }
        if (request.code().isBlank()) {
            throw ApiException.invalidField("code", "code is empty", "send the program text as \"code\"");
        }
        if (request.language() == null) {
            throw ApiException.invalidField(
                    "language", "language is required", "send \"language\": one of " + Language.wireNames());
        }
        Language language = Language.fromWireName(request.language())
                .orElseThrow(() -> ApiException.invalidField(
                        "language",
                        "language '" + request.language() + "' is not supported",
                        "use one of: " + Language.wireNames()));
        long maxMs = properties.maxTimeout().toMillis();
        long timeoutMs =
                request.timeoutMs() == null ? properties.defaultTimeout().toMillis() : request.timeoutMs();
        if (timeoutMs <= 0) {
            throw ApiException.invalidField(
                    "timeoutMs",
                    "timeoutMs must be positive, not " + timeoutMs,
                    "send a wall-clock limit in milliseconds between 1 and " + maxMs + ", or leave it out for "
                            + properties.defaultTimeout().toMillis());
        }
        if (timeoutMs > maxMs) {
            throw ApiException.invalidField(
                    "timeoutMs",
                    "timeoutMs " + timeoutMs + " exceeds the maximum of " + maxMs,
                    "split the work, or ask the operator to raise paperpod.api.max-timeout");
        }
        Map<String, String> env = request.env() == null ? Map.of() : request.env();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!ENV_NAME.matcher(e.getKey()).matches()) {
                throw ApiException.invalidField(
                        "env." + e.getKey(),
                        "'" + e.getKey() + "' is not a valid environment variable name",
                        "use letters, digits and underscores, not starting with a digit");
            }
            if (e.getValue() == null) {
                throw ApiException.invalidField(
                        "env." + e.getKey(), "env." + e.getKey() + " is null", "send a string value");
            }
        }
        Egress network = Egress.NONE;
        if (request.network() != null) {
            network = Egress.fromWireName(request.network())
                    .orElseThrow(() -> ApiException.invalidField(
                            "network",
                            "network '" + request.network() + "' is not a policy",
                            "use \"none\" (no network, the default) or \"full\" (the outside world)"));
        }
        return new ExecSpec(language, request.code(), timeoutMs, env, request.stdin(), network);
    }

    /** When and in which order a background job runs. */
    public record Schedule(JobPriority priority, @Nullable Instant runAt) {}

    /**
     * The priority and start time of a background job; {@code /execute} runs at once and takes neither.
     *
     * @param now a {@code runAt} before it means now
     */
    public Schedule schedule(ExecRequest request, boolean background, Instant now) {
        if (!background && (request.priority() != null || request.runAt() != null || request.webhookUrl() != null)) {
            String field = request.priority() != null ? "priority" : request.runAt() != null ? "runAt" : "webhookUrl";
            throw ApiException.invalidField(
                    field,
                    field + " applies to background jobs only",
                    "leave it out of /execute (it runs at once), or submit with POST /v1/jobs");
        }
        JobPriority priority = JobPriority.NORMAL;
        if (request.priority() != null) {
            priority = JobPriority.fromWireName(request.priority())
                    .orElseThrow(() -> ApiException.invalidField(
                            "priority",
                            "priority '" + request.priority() + "' is not one",
                            "use one of: " + JobPriority.wireNames()));
        }
        Instant runAt = null;
        if (request.runAt() != null) {
            try {
                runAt = Instant.parse(request.runAt());
            } catch (DateTimeParseException e) {
                throw ApiException.invalidField(
                        "runAt",
                        "runAt '" + request.runAt() + "' is not an ISO-8601 instant",
                        "send UTC like 2026-11-28T12:00:00Z, or leave it out to run as soon as possible");
            }
            if (runAt.isAfter(now.plus(MAX_DELAY))) {
                throw ApiException.invalidField(
                        "runAt",
                        "runAt is more than " + MAX_DELAY.toDays() + " days ahead",
                        "schedule at most " + MAX_DELAY.toDays() + " days ahead");
            }
            if (!runAt.isAfter(now)) {
                runAt = null;
            }
        }
        return new Schedule(priority, runAt);
    }

    /** The attempts a background job may use on infrastructure faults; {@code /execute} leaves retrying to its client. */
    public int maxAttempts(ExecRequest request, boolean background) {
        Integer max = request.maxAttempts();
        if (max == null) {
            return background ? DEFAULT_ATTEMPTS : 1;
        }
        if (!background) {
            throw ApiException.invalidField(
                    "maxAttempts",
                    "maxAttempts applies to background jobs only",
                    "leave it out of /execute (its client retries), or submit with POST /v1/jobs");
        }
        if (max < 1 || max > MAX_ATTEMPTS) {
            throw ApiException.invalidField(
                    "maxAttempts",
                    "maxAttempts must be between 1 and " + MAX_ATTEMPTS + ", not " + max,
                    "leave it out for " + DEFAULT_ATTEMPTS + "; only infrastructure faults use attempts");
        }
        return max;
    }
}
