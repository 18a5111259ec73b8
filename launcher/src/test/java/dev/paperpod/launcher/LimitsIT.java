package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Hostile programs end with the right verdict, and the worker stays healthy: the same account's next job, which
 * may run in the very sandbox after its reset, is normal.
 */
@ExtendWith(SharedStack.class)
class LimitsIT {

    private final Api api;

    LimitsIT(Api api) {
        this.api = api.withSandbox("ephemeral"); // the pool path: a fresh sandbox per call
    }

    static Stream<Arguments> hostilePrograms() {
        return Stream.of(
                // Time enough for the shell to give up retrying its refused forks and end by itself, even on a busy
                // machine: within 3 s it sometimes hit the timeout first (TIMEOUT) while still retrying.
                Arguments.of("fork bomb", "shell", ":(){ :|:& };:", 20_000, "PIDS_LIMIT"),
                Arguments.of("infinite loop", "python", "while True: pass", 2_000, "TIMEOUT"),
                Arguments.of("yes > /dev/null for an hour", "shell", "timeout 3600 yes > /dev/null", 2_000, "TIMEOUT"),
                Arguments.of("yes to stdout", "shell", "yes", 10_000, "OUTPUT_LIMIT"),
                Arguments.of(
                        "a 10 GB file",
                        "shell",
                        "dd if=/dev/zero of=/workspace/big bs=1M count=10240 status=none",
                        30_000,
                        "OK"),
                Arguments.of(
                        "allocating until killed",
                        "python",
                        "a = []\nwhile True: a.append(bytearray(10**7))",
                        30_000,
                        "MEMORY_LIMIT"),
                Arguments.of(
                        "ignoring SIGTERM",
                        "python",
                        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True: time.sleep(1)",
                        1_500,
                        "TIMEOUT"));
    }

    @ParameterizedTest(name = "{0} → {4}")
    @MethodSource("hostilePrograms")
    void hostileProgramGetsItsVerdictAndTheNextJobIsNormal(
            String name, String language, String code, int timeoutMs, String verdict) {
        JsonNode result = execute(language, code, timeoutMs);

        assertThat(result.path("verdict").asString()).as(result.toString()).isEqualTo(verdict);
        switch (verdict) {
            case "OUTPUT_LIMIT" -> {
                assertThat(result.path("truncated").asBoolean()).isTrue();
                assertThat(result.path("stdout").asString()).hasSize(1024 * 1024);
            }
            case "PIDS_LIMIT" -> assertThat(result.path("stderr").asString()).contains("fork");
            case "OK" -> {
                // the disk limit is the workspace's size: the write fails, the program says so
                assertThat(result.path("exitCode").asInt()).isNotZero();
                assertThat(result.path("stderr").asString()).contains("No space left on device");
            }
            case "MEMORY_LIMIT" -> {
                assertThat(result.has("exitCode")).as("killed, so no exit code").isFalse();
                assertThat(result.path("peakMemoryBytes").asLong()).isGreaterThan(512L * 1024 * 1024);
            }
            default ->
                assertThat(result.has("exitCode")).as("killed, so no exit code").isFalse();
        }

        JsonNode next = execute("shell", "ls -A /workspace; echo healthy", 10_000);
        assertThat(next.path("verdict").asString()).as(next.toString()).isEqualTo("OK");
        assertThat(next.path("stdout").asString()).isEqualTo("healthy\n");
        assertThat(api.withToken(null).get("/health").status()).isEqualTo(200);
    }

    private JsonNode execute(String language, String code, int timeoutMs) {
        Api.Response response =
                api.post("/execute", Map.of("language", language, "code", code, "timeoutMs", timeoutMs));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }
}
