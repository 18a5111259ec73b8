package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Every bad request gets a 4xx with a code, a message, a hint and, where one is at fault, the field. */
@ExtendWith(SharedStack.class)
class BadRequestIT {

    private final Api api;

    BadRequestIT(Api api) {
        this.api = api;
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("{\"language\":\"python\",", "INVALID_JSON", null),
                Arguments.of("", "INVALID_JSON", null),
                Arguments.of("[1,2]", "INVALID_JSON", null),
                Arguments.of("{\"language\":\"cobol\",\"code\":\"x\"}", "INVALID_FIELD", "language"),
                Arguments.of("{\"code\":\"print(1)\"}", "INVALID_FIELD", "language"),
                Arguments.of("{\"language\":\"python\"}", "INVALID_FIELD", "code"),
                Arguments.of("{\"language\":\"python\",\"code\":\"  \"}", "INVALID_FIELD", "code"),
                Arguments.of("{\"language\":\"python\",\"code\":\"1\",\"timeoutMs\":-5}", "INVALID_FIELD", "timeoutMs"),
                Arguments.of("{\"language\":\"python\",\"code\":\"1\",\"timeoutMs\":0}", "INVALID_FIELD", "timeoutMs"),
                Arguments.of(
                        "{\"language\":\"python\",\"code\":\"1\",\"timeoutMs\":\"soon\"}",
                        "INVALID_FIELD",
                        "timeoutMs"),
                Arguments.of(
                        "{\"language\":\"python\",\"code\":\"1\",\"timeoutMs\":99999999}",
                        "INVALID_FIELD",
                        "timeoutMs"),
                Arguments.of(
                        "{\"language\":\"python\",\"code\":\"1\",\"env\":{\"1BAD\":\"x\"}}",
                        "INVALID_FIELD",
                        "env.1BAD"));
    }

    @ParameterizedTest(name = "/execute {0}")
    @MethodSource("badBodies")
    void syncExecRefusesABadBody(String body, String code, String field) {
        assertRefused(api.post("/execute", body), 400, code, field);
    }

    @ParameterizedTest(name = "/v1/jobs {0}")
    @MethodSource("badBodies")
    void jobSubmissionRefusesABadBody(String body, String code, String field) {
        assertRefused(api.post("/v1/jobs", body), 400, code, field);
    }

    @Test
    void aRequestWithoutATokenIsUnauthorized() {
        Api.Response response = api.withToken(null).post("/execute", "{\"language\":\"python\",\"code\":\"1\"}");

        assertRefused(response, 401, "UNAUTHORIZED", null);
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void aRequestWithAnUnknownTokenIsUnauthorized() {
        assertRefused(api.withToken("pp_nope").get("/v1/jobs/" + UUID.randomUUID()), 401, "UNAUTHORIZED", null);
    }

    @Test
    void anUnknownJobIsNotFound() {
        assertRefused(api.get("/v1/jobs/" + UUID.randomUUID()), 404, "NOT_FOUND", null);
        assertRefused(api.get("/v1/jobs/not-a-uuid"), 404, "NOT_FOUND", null);
    }

    @Test
    void aBadWaitNamesTheParameter() {
        String id = api.post("/v1/jobs", "{\"language\":\"shell\",\"code\":\"true\"}")
                .text("id");

        assertRefused(api.get("/v1/jobs/" + id + "?wait=-1"), 400, "INVALID_FIELD", "wait");
        assertRefused(api.get("/v1/jobs/" + id + "?wait=forever"), 400, "INVALID_FIELD", "wait");
        assertRefused(api.get("/v1/jobs/" + id + "?wait=3600"), 400, "INVALID_FIELD", "wait");
    }

    @Test
    void anUnknownPathIsNotFoundAndAWrongMethodIsNamed() {
        assertRefused(api.get("/v2/nothing"), 404, "NOT_FOUND", null);
        assertRefused(api.get("/execute"), 405, "METHOD_NOT_ALLOWED", null);
    }

    private static void assertRefused(Api.Response response, int status, String code, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        JsonNode error = response.json().path("error");
        assertThat(error.path("code").asString()).as(response.toString()).isEqualTo(code);
        assertThat(error.path("message").asString()).isNotBlank();
        assertThat(error.path("hint").asString()).isNotBlank();
        if (field == null) {
            assertThat(error.has("field")).as(response.toString()).isFalse();
        } else {
            assertThat(error.path("field").asString()).isEqualTo(field);
        }
    }
}
