package dev.paperpod.schemas.http;

import org.jspecify.annotations.Nullable;

/** Every error PaperPod answers: {@code {"error":{"code","message","hint","field"}}}. */
public record ErrorBody(Detail error) {

    public static ErrorBody of(String code, String message, String hint, @Nullable String field) {
        return new ErrorBody(new Detail(code, message, hint, field));
    }

    /**
     * @param code stable and machine-readable, e.g. {@code INVALID_FIELD}
     * @param message what was wrong
     * @param hint what to do about it
     * @param field the request field at fault, when one is
     */
    public record Detail(
            String code,
            String message,
            String hint,
            @Nullable String field) {}
}
