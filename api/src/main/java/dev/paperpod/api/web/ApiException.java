package dev.paperpod.api.web;

import dev.paperpod.schemas.http.ErrorBody;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** An error answered to the client as {@code {"error":{"code","message","hint","field"}}}. */
public final class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final String hint;
    private final @Nullable String field;
    private @Nullable Long retryAfterSeconds;

    public ApiException(HttpStatus status, String code, String message, String hint, @Nullable String field) {
        super(message);
        this.status = status;
        this.code = code;
        this.hint = hint;
        this.field = field;
    }

    /** A request field that is missing or wrong: 400 {@code INVALID_FIELD}. */
    public static ApiException invalidField(String field, String message, String hint) {
        return new ApiException(HttpStatus.BAD_REQUEST, "INVALID_FIELD", message, hint, field);
    }

    public static ApiException notFound(String message, String hint) {
        return new ApiException(HttpStatus.NOT_FOUND, "NOT_FOUND", message, hint, null);
    }

    /** 429 {@code QUEUE_FULL}-style refusals: try again after {@code seconds} (the {@code Retry-After} header). */
    public static ApiException tooManyRequests(String code, String message, String hint, long seconds) {
        ApiException e = new ApiException(HttpStatus.TOO_MANY_REQUESTS, code, message, hint, null);
        e.retryAfterSeconds = seconds;
        return e;
    }

    /** The same error about a field of one item of a list: {@code jobs[3].language}. */
    public ApiException inItem(String item) {
        ApiException e = new ApiException(
                status, code, item + ": " + getMessage(), hint, field == null ? item : item + "." + field);
        e.retryAfterSeconds = retryAfterSeconds;
        return e;
    }

    public @Nullable Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public HttpStatus status() {
        return status;
    }

    public ErrorBody body() {
        return ErrorBody.of(code, getMessage(), hint, field);
    }
}
