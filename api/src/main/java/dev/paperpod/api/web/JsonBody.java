package dev.paperpod.api.web;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.schemas.Wire;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Reads a JSON request body into a record. Reads the raw stream whatever the Content-Type says, so that
 * {@code curl -d '{…}'} works without {@code -H 'Content-Type: application/json'}; names the field at fault when a
 * value has the wrong type.
 */
@Component
public final class JsonBody {

    private final long maxBytes;

    public JsonBody(ApiProperties properties) {
        this.maxBytes = properties.maxBodySize().toBytes();
    }

    public <T> T read(HttpServletRequest request, Class<T> type) {
        return read(request, type, maxBytes);
    }

    /** Reads a body that may be larger than most, such as a batch, up to {@code limit} bytes. */
    public <T> T read(HttpServletRequest request, Class<T> type, long limit) {
        byte[] bytes = readBytes(request, limit);
        if (bytes.length == 0) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "INVALID_JSON",
                    "the request has no body",
                    "send a JSON object, e.g. {\"language\":\"python\",\"code\":\"print(1)\"}",
                    null);
        }
        try {
            T value = Wire.mapper().readValue(bytes, type);
            if (value == null) {
                throw new ApiException(
                        HttpStatus.BAD_REQUEST, "INVALID_JSON", "the body is null", "send a JSON object", null);
            }
            return value;
        } catch (MismatchedInputException e) {
            String field = fieldOf(e);
            if (field.isEmpty()) {
                throw new ApiException(
                        HttpStatus.BAD_REQUEST,
                        "INVALID_JSON",
                        "the body is not a JSON object of the expected shape",
                        "send a JSON object, e.g. {\"language\":\"python\",\"code\":\"print(1)\"}",
                        null);
            }
            throw ApiException.invalidField(
                    field, field + " has the wrong type", "see docs/api.md for the type of " + field);
        } catch (DatabindException e) {
            String field = fieldOf(e);
            throw ApiException.invalidField(
                    field, field + " is not valid: " + e.getOriginalMessage(), "see docs/api.md for " + field);
        } catch (JacksonException e) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "INVALID_JSON",
                    "the body is not valid JSON: " + e.getOriginalMessage(),
                    "check quoting and commas; the body must be one JSON object",
                    null);
        }
    }

    private static byte[] readBytes(HttpServletRequest request, long maxBytes) {
        if (request.getContentLengthLong() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }

    private static ApiException tooLarge(long maxBytes) {
        return new ApiException(
                HttpStatus.CONTENT_TOO_LARGE,
                "BODY_TOO_LARGE",
                "the request body exceeds " + maxBytes + " bytes",
                "send large inputs as files or artifacts, not inline",
                null);
    }

    private static String fieldOf(DatabindException e) {
        StringBuilder path = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
