package dev.paperpod.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.http.ErrorBody;
import dev.paperpod.schemas.http.ExecRequest;
import dev.paperpod.schemas.http.ExecResponse;
import dev.paperpod.schemas.http.HealthView;
import dev.paperpod.schemas.http.JobAccepted;
import dev.paperpod.schemas.http.JobView;
import dev.paperpod.schemas.job.JobEnvelope;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Every schema has examples; valid ones pass and invalid ones fail their schema; and every valid example survives a
 * trip through its Java record unchanged, so the records and the schemas describe the same messages.
 */
class SchemaContractTest {

    private static final Map<String, Class<?>> RECORDS = Map.ofEntries(
            Map.entry("job-envelope", JobEnvelope.class),
            Map.entry("job-event", JobEvent.class),
            Map.entry("worker-heartbeat", WorkerHeartbeat.class),
            Map.entry("job-cancel", dev.paperpod.schemas.event.JobCancel.class),
            Map.entry("exec-request", ExecRequest.class),
            Map.entry("job-options", dev.paperpod.schemas.http.JobOptions.class),
            Map.entry("exec-response", ExecResponse.class),
            Map.entry("job-accepted", JobAccepted.class),
            Map.entry("job-view", JobView.class),
            Map.entry("error", ErrorBody.class),
            Map.entry("health", HealthView.class),
            Map.entry("job-list", dev.paperpod.schemas.http.JobList.class),
            Map.entry("batch-request", dev.paperpod.schemas.http.BatchRequest.class),
            Map.entry("batch-accepted", dev.paperpod.schemas.http.BatchAccepted.class),
            Map.entry("batch-view", dev.paperpod.schemas.http.BatchView.class),
            Map.entry("webhook-endpoint-view", dev.paperpod.schemas.http.WebhookEndpointView.class),
            Map.entry("webhook-delivery-view", dev.paperpod.schemas.http.WebhookDeliveryView.class),
            Map.entry("sandbox-command", dev.paperpod.schemas.sandbox.SandboxCommand.class),
            Map.entry("sandbox-reply", dev.paperpod.schemas.sandbox.SandboxReply.class));

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaIdResolvers(
                    resolvers -> resolvers.mapPrefix("https://paperpod.dev/schemas/", "classpath:schemas/")));

    static Stream<Path> validExamples() throws Exception {
        return examples("valid-");
    }

    static Stream<Path> invalidExamples() throws Exception {
        return examples("invalid-");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validExamples")
    void validExampleMatchesItsSchema(Path example) throws IOException {
        assertThat(validate(schemaOf(example), read(example))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidExamples")
    void invalidExampleIsRejectedByItsSchema(Path example) throws IOException {
        assertThat(validate(schemaOf(example), read(example))).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validExamples")
    void validExampleSurvivesATripThroughItsRecord(Path example) throws IOException {
        JsonNode original = read(example);
        Object record = Wire.read(Files.readAllBytes(example), RECORDS.get(schemaOf(example)));
        JsonNode written = Wire.mapper().readTree(Wire.write(record));

        assertThat(written).isEqualTo(original);
        assertThat(validate(schemaOf(example), written)).isEmpty();
    }

    @Test
    void everySchemaHasARecordAndValidAndInvalidExamples() throws Exception {
        List<String> schemas;
        try (Stream<Path> files = Files.list(resource("schemas"))) {
            schemas = files.map(p -> p.getFileName().toString().replace(".schema.json", ""))
                    .filter(name -> !name.equals("common"))
                    .toList();
        }
        assertThat(RECORDS.keySet()).containsExactlyInAnyOrderElementsOf(schemas);
        for (String schema : schemas) {
            assertThat(examples("valid-").filter(p -> schemaOf(p).equals(schema)))
                    .as("valid examples of %s", schema)
                    .isNotEmpty();
            assertThat(examples("invalid-").filter(p -> schemaOf(p).equals(schema)))
                    .as("invalid examples of %s", schema)
                    .isNotEmpty();
        }
    }

    private static List<String> validate(String schemaName, JsonNode json) {
        Schema schema = REGISTRY.getSchema(SchemaLocation.of("classpath:schemas/" + schemaName + ".schema.json"));
        return schema.validate(json).stream().map(Error::toString).toList();
    }

    private static Stream<Path> examples(String prefix) throws Exception {
        try (Stream<Path> files = Files.walk(resource("examples"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList().stream();
        }
    }

    private static String schemaOf(Path example) {
        return example.getParent().getFileName().toString();
    }

    private static JsonNode read(Path file) throws IOException {
        return Wire.mapper().readTree(Files.readAllBytes(file));
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(
                SchemaContractTest.class.getClassLoader().getResource(name).toURI());
    }
}
