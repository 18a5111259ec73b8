package dev.paperpod.api.exec;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.jobs.JobSpecParser;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.http.ExecRequest;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.Language;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** The exec kind's fields of a request ({@link ExecRequest}), checked field by field, as an {@link ExecSpec}. */
@Component
public class ExecSpecParser implements JobSpecParser {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final ApiProperties properties;

    public ExecSpecParser(ApiProperties properties) {
        this.properties = properties;
    }

    @Override
    public JobKind kind() {
        return JobKind.EXEC;
    }

    @Override
    public ExecSpec parse(ObjectNode fields) {
        return toSpec(JsonBody.bind(fields, ExecRequest.class));
    }

    /**
     * The environment variables of a request (none when absent), each name and value checked.
     *
     * @throws ApiException 400 naming {@code env.NAME}
     */
    public static Map<String, String> env(@Nullable Map<String, String> requested) {
        Map<String, String> env = requested == null ? Map.of() : requested;
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
        return env;
    }

    /** Applies the defaults: the server's timeout, no environment, no network. */
    ExecSpec toSpec(ExecRequest request) {
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
        Map<String, String> env = env(request.env());
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
}
