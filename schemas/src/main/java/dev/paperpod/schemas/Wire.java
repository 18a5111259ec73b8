package dev.paperpod.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.paperpod.schemas.job.JobKindContract;
import dev.paperpod.schemas.job.JobKinds;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.NamedType;

/**
 * The one JSON mapping of PaperPod's messages: what goes on Kafka, in the outbox and over HTTP is written and
 * read with these settings. Unknown properties are ignored so that a newer producer never breaks an older
 * consumer; nulls are left out. Every registered job kind's spec and result are read and written under the kind's
 * name ({@link JobKinds}).
 */
public final class Wire {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL))
            .addModule(WireSpeed.module())
            .registerSubtypes(kindTypes())
            .build();

    private Wire() {}

    private static NamedType[] kindTypes() {
        return JobKinds.all().stream()
                .flatMap((JobKindContract c) -> java.util.stream.Stream.of(
                        new NamedType(c.specType(), c.kind().wireName()),
                        new NamedType(c.resultType(), c.kind().wireName())))
                .toArray(NamedType[]::new);
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    public static String writeString(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /**
     * Reads a message.
     *
     * @throws MalformedMessageException when the bytes are not a valid message of that type
     */
    public static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (JacksonException e) {
            throw new MalformedMessageException(type, e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw new MalformedMessageException(type, e);
        }
    }
}
