package dev.paperpod.api.web;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.schemas.Wire;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;

/**
 * Reads JSON request bodies strictly: a field the request does not know, or a value of the wrong type (a number where
 * text is expected, text where a number is), is a 400 naming the field — never silently ignored or converted. Reads
 * the raw stream whatever the Content-Type says, so that {@code curl -d '{…}'} works without
 * {@code -H 'Content-Type: application/json'}.
 */
@Component
public final class JsonBody {

    /** Wire's mapping (the same names, instants, nulls left out), with nothing unknown or mistyped let through. */
    private static final JsonMapper STRICT = Wire.mapper()
            .rebuild()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(
                    LogicalType.Textual,
                    c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private final long maxBytes;

    public JsonBody(ApiProperties properties) {
        this.maxBytes = properties.maxBodySize().toBytes();
    }

    public <T> T read(HttpServletRequest request, Class<T> type) {
        return read(request, type, maxBytes);
    }

    /** Reads a body that may be larger than most, such as a batch, up to {@code limit} bytes. */
    public <T> T read(HttpServletRequest request, Class<T> type, long limit) {
        return bind(object(request, limit), type);
    }

    /** The body as a JSON object, for requests whose shape depends on a field of theirs (a job's {@code kind}). */
    public ObjectNode object(HttpServletRequest request) {
        return object(request, maxBytes);
    }

    /** The body as a JSON object, or an empty one when the request has no body (every field optional). */
    public ObjectNode objectOrEmpty(HttpServletRequest request) {
        byte[] bytes = readBytes(request, maxBytes);
        return bytes.length == 0 ? STRICT.createObjectNode() : parsed(bytes);
    }

    private ObjectNode object(HttpServletRequest request, long limit) {
        byte[] bytes = readBytes(request, limit);
        if (bytes.length == 0) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "INVALID_JSON",
                    "the request has no body",
                    "send a JSON object, e.g. {\"language\":\"python\",\"code\":\"print(1)\"}",
                    null);
        }
        return parsed(bytes);
    }

    private static ObjectNode parsed(byte[] bytes) {
        JsonNode tree;
        try {
            tree = STRICT.readTree(bytes);
        } catch (JacksonException e) {
            throw notJson(e);
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "INVALID_JSON",
                    "the body is " + (tree == null || tree.isNull() ? "null" : "not a JSON object"),
                    "send a JSON object, e.g. {\"language\":\"python\",\"code\":\"print(1)\"}",
                    null);
        }
        return object;
    }

    /**
     * A JSON object as a request record, strictly: unknown fields and mistyped values are 400s naming the field.
     *
     * @throws ApiException 400 {@code INVALID_FIELD} (or {@code INVALID_JSON} when the value is no object at all)
     */
    public static <T> T bind(JsonNode json, Class<T> type) {
        try {
            return Objects.requireNonNull(STRICT.treeToValue(json, type));
        } catch (UnrecognizedPropertyException e) {
            String field = fieldOf(e);
            throw ApiException.invalidField(
                    field,
                    "unknown field '" + e.getPropertyName() + "'",
                    "fields here: " + known(e.getKnownPropertyIds()) + "; see docs/api.md");
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
                    field,
                    field + " has the wrong type: " + shapeOf(json, e),
                    "see docs/api.md for the type of " + field);
        } catch (DatabindException e) {
            String field = fieldOf(e);
            throw ApiException.invalidField(
                    field, field + " is not valid: " + e.getOriginalMessage(), "see docs/api.md for " + field);
        } catch (JacksonException e) {
            throw notJson(e);
        }
    }

    private static ApiException notJson(JacksonException e) {
        return new ApiException(
                HttpStatus.BAD_REQUEST,
                "INVALID_JSON",
                "the body is not valid JSON: " + e.getOriginalMessage(),
                "check quoting and commas; the body must be one JSON object",
                null);
    }

    private static String shapeOf(JsonNode json, MismatchedInputException e) {
        JsonNode at = json;
        for (var ref : e.getPath()) {
            at = ref.getPropertyName() != null ? at.path(ref.getPropertyName()) : at.path(ref.getIndex());
        }
        String expected = e.getTargetType() == null ? "another type" : typeName(e.getTargetType());
        return "expected " + expected + ", got " + at.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String typeName(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String known(Collection<Object> ids) {
        List<String> names = ids.stream().map(String::valueOf).sorted().toList();
        return String.join(", ", names);
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
