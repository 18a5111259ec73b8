package dev.paperpod.api.web;

import dev.paperpod.schemas.http.ErrorBody;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Turns every failure into the one error shape, with a hint of what to do. */
@RestControllerAdvice
public class ApiErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ErrorBody> api(ApiException e) {
        // JSON whatever the request accepts (a download's Accept: application/octet-stream too): an error is JSON
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON);
        if (e.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        return response.body(e.body());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ErrorBody> noRoute(NoResourceFoundException e) {
        return error(
                HttpStatus.NOT_FOUND,
                "NOT_FOUND",
                "no endpoint at /" + e.getResourcePath(),
                "see docs/api.md for the endpoints",
                null);
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ErrorBody> method(HttpRequestMethodNotSupportedException e) {
        return error(
                HttpStatus.METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                e.getMethod() + " is not supported here",
                "use " + String.join(" or ", e.getSupportedMethods() == null ? new String[0] : e.getSupportedMethods()),
                null);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ErrorBody> typeMismatch(MethodArgumentTypeMismatchException e) {
        String type =
                e.getRequiredType() == null ? "value" : e.getRequiredType().getSimpleName();
        return error(
                HttpStatus.BAD_REQUEST,
                "INVALID_FIELD",
                e.getName() + " '" + e.getValue() + "' is not a valid " + type,
                "send a valid " + type + " as " + e.getName(),
                e.getName());
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ErrorBody> missingParameter(MissingServletRequestParameterException e) {
        return error(
                HttpStatus.BAD_REQUEST,
                "INVALID_FIELD",
                "query parameter " + e.getParameterName() + " is required",
                "add ?" + e.getParameterName() + "=…",
                e.getParameterName());
    }

    @ExceptionHandler(AsyncRequestTimeoutException.class)
    ResponseEntity<ErrorBody> asyncTimeout(AsyncRequestTimeoutException e) {
        return error(
                HttpStatus.SERVICE_UNAVAILABLE,
                "REQUEST_TIMEOUT",
                "the request took longer than the server allows",
                "retry; for long work use POST /v1/jobs and poll",
                null);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ErrorBody> unexpected(Exception e) {
        log.error("Unexpected error answering a request", e);
        return error(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "PaperPod failed to answer: " + e.getClass().getSimpleName(),
                "retry; if it persists, the server log has the details",
                null);
    }

    private static ResponseEntity<ErrorBody> error(
            HttpStatus status, String code, String message, String hint, @Nullable String field) {
        return ResponseEntity.status(status)
                .contentType(MediaType.APPLICATION_JSON)
                .body(ErrorBody.of(code, message, hint, field));
    }
}
