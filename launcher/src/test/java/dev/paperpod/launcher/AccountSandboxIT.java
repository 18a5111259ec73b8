package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.api.auth.AccountTokens;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * The account's own sandbox (issue 18, ADR 8), through the HTTP API as a user calls it: what one call leaves, the
 * next finds — files, processes — until a reset; another account never reaches it; bad calls are told what was wrong.
 * Each test names a sandbox of its own, so none sees another's files.
 */
@ExtendWith(SharedStack.class)
class AccountSandboxIT {

    private static String name() {
        return "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private static void refused(Api.Response response, int status, String code, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        JsonNode error = response.json().path("error");
        assertThat(error.path("code").asString()).as(response.toString()).isEqualTo(code);
        assertThat(error.path("field").asString()).as(response.toString()).isEqualTo(field);
        assertThat(error.path("hint").asString()).as(response.toString()).isNotBlank();
    }

    @Test
    void aFileWrittenByOneExecuteIsThereForTheNext(Api shared) {
        Api api = shared.withSandbox(name());

        JsonNode first = ok(api.post("/execute", Map.of("language", "shell", "code", "echo hello > f.txt")));
        JsonNode second = ok(api.post("/execute", Map.of("language", "shell", "code", "cat f.txt; pwd")));

        assertThat(second.path("stdout").asString()).isEqualTo("hello\n/workspace\n");
        assertThat(second.path("sandboxId").asString())
                .isEqualTo(first.path("sandboxId").asString())
                .startsWith("sbx-");
        assertThat(second.has("sandboxRestarted")).isFalse();
        assertThat(ok(api.post("/files/read", Map.of("path", "f.txt")))
                        .path("content")
                        .asString())
                .isEqualTo("hello\n");
    }

    @Test
    void anEphemeralSandboxKeepsNothing(Api shared) {
        Api ephemeral = shared.withSandbox("ephemeral");
        ok(ephemeral.post("/execute", Map.of("language", "shell", "code", "echo x > kept.txt")));

        JsonNode again = ok(ephemeral.post("/execute", Map.of("language", "shell", "code", "cat kept.txt")));

        assertThat(again.path("exitCode").asInt()).isNotZero();
        refused(ephemeral.post("/files/read", Map.of("path", "kept.txt")), 400, "INVALID_HEADER", "X-PaperPod-Sandbox");
    }

    @Test
    void filesAreWrittenReadListedMovedAndDeleted(Api shared) {
        Api api = shared.withSandbox(name());
        byte[] binary = {0, (byte) 0xff, 1, (byte) 0xfe, 10};

        assertThat(ok(api.post("/files/write", Map.of("path", "notes/a.txt", "content", "one\n")))
                        .path("size")
                        .asLong())
                .isEqualTo(4);
        ok(api.post("/files/write", Map.of("path", "notes/a.txt", "content", "two\n", "append", true)));
        ok(api.post(
                "/files/write",
                Map.of(
                        "path",
                        "/workspace/bin.dat",
                        "content",
                        Base64.getEncoder().encodeToString(binary),
                        "encoding",
                        "base64")));

        assertThat(ok(api.post("/files/read", Map.of("path", "/workspace/notes/a.txt")))
                        .path("content")
                        .asString())
                .isEqualTo("one\ntwo\n");
        JsonNode bin = ok(api.post("/files/read", Map.of("path", "bin.dat", "encoding", "base64")));
        assertThat(Base64.getDecoder().decode(bin.path("content").asString())).isEqualTo(binary);
        JsonNode listed = ok(api.post("/files/list", Map.of("recursive", true)));
        assertThat(listed.path("entries").findValuesAsString("name")).contains("notes", "notes/a.txt", "bin.dat");

        ok(api.post("/files/move", Map.of("from", "notes/a.txt", "to", "b.txt")));
        refused(api.post("/files/read", Map.of("path", "notes/a.txt")), 404, "FILE_NOT_FOUND", "path");
        assertThat(ok(api.post("/execute", Map.of("language", "shell", "code", "cat b.txt")))
                        .path("stdout")
                        .asString())
                .isEqualTo("one\ntwo\n");
        ok(api.post("/files/write", Map.of("path", "notes/c.txt", "content", "c")));
        refused(api.post("/files/delete", Map.of("path", "notes")), 409, "NOT_EMPTY", "path");
        ok(api.post("/files/delete", Map.of("path", "notes", "recursive", true)));
        assertThat(ok(api.post("/files/list", Map.of("path", ".")))
                        .path("entries")
                        .findValuesAsString("name"))
                .containsExactlyInAnyOrder("b.txt", "bin.dat");
    }

    @Test
    void badFileCallsAreToldWhatWasWrong(Api shared) {
        Api api = shared.withSandbox(name());
        ok(api.post("/files/write", Map.of("path", "dir/x", "content", "x")));
        ok(api.post("/files/write", Map.of("path", "bin.dat", "content", "//79", "encoding", "base64")));

        refused(api.post("/files/read", Map.of("path", "nothing-here.txt")), 404, "FILE_NOT_FOUND", "path");
        refused(api.post("/files/read", Map.of("path", "dir")), 400, "IS_A_DIRECTORY", "path");
        refused(api.post("/files/read", Map.of("path", "bin.dat")), 422, "NOT_TEXT", "encoding");
        refused(api.post("/files/read", Map.of()), 400, "INVALID_FIELD", "path");
        refused(api.post("/files/read", Map.of("path", "x", "encoding", "latin1")), 400, "INVALID_FIELD", "encoding");
        refused(api.post("/files/write", Map.of("path", "y")), 400, "INVALID_FIELD", "content");
        refused(
                api.post("/files/write", Map.of("path", "y", "content", "not base64!", "encoding", "base64")),
                400,
                "INVALID_FIELD",
                "content");
        refused(api.post("/files/write", Map.of("path", "y", "content", "z", "size", 1)), 400, "INVALID_FIELD", "size");
        refused(api.post("/files/move", Map.of("from", "bin.dat", "to", "dir/x")), 409, "FILE_EXISTS", "to");
        refused(
                shared.withSandbox("Not A Name").post("/files/read", Map.of("path", "x")),
                400,
                "INVALID_HEADER",
                "X-PaperPod-Sandbox");
        refused(
                api.post("/execute", Map.of("language", "shell", "code", "true", "network", "full")),
                400,
                "INVALID_FIELD",
                "network");
    }

    @Test
    void aBackgroundProcessRunsBetweenCallsUntilKilled(Api shared) {
        Api api = shared.withSandbox(name());

        JsonNode started = ok(api.post(
                "/process/start",
                Map.of(
                        "name",
                        "ticker",
                        "command",
                        "echo started; echo \"$GREETING\" >&2; exec sleep 300",
                        "env",
                        Map.of("GREETING", "hi"))));
        assertThat(started.path("pid").asLong()).isPositive();
        refused(api.post("/process/start", Map.of("name", "ticker", "command", "true")), 409, "PROCESS_EXISTS", "name");

        JsonNode listed = ok(api.post("/process/list", "{}"));
        assertThat(listed.path("processes").get(0).path("name").asString()).isEqualTo("ticker");
        assertThat(listed.path("processes").get(0).path("running").asBoolean()).isTrue();
        Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode logs = ok(api.post("/process/logs", Map.of("name", "ticker")));
            assertThat(logs.path("stdout").asString()).isEqualTo("started\n");
            assertThat(logs.path("stderr").asString()).isEqualTo("hi\n");
            assertThat(logs.path("running").asBoolean()).isTrue();
        });
        assertThat(ok(api.post(
                                "/execute",
                                Map.of("language", "shell", "code", "pgrep -c sleep || ps ax | grep -c 'sleep 30[0]'")))
                        .path("stdout")
                        .asString()
                        .trim())
                .as("the process runs beside the next execute")
                .isEqualTo("1");

        ok(api.post("/process/kill", Map.of("name", "ticker", "signal", "KILL")));
        Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(ok(api.post("/process/list", "{}"))
                                .path("processes")
                                .get(0)
                                .path("running")
                                .asBoolean())
                        .isFalse());
        refused(api.post("/process/kill", Map.of("name", "nobody")), 404, "PROCESS_NOT_FOUND", "name");
        refused(api.post("/process/start", Map.of("name", "x")), 400, "INVALID_FIELD", "command");
        refused(api.post("/process/kill", Map.of("name", "ticker", "signal", "HUP")), 400, "INVALID_FIELD", "signal");
    }

    @Test
    void aRunsFiguresAreItsOwnNotThoseOfWhatRunsBesideIt(Api shared) {
        Api api = shared.withSandbox(name());
        ok(api.post(
                "/process/start",
                Map.of(
                        "name",
                        "hog",
                        "command",
                        "python3 -c \"x = b'x' * (300 << 20); print('ready', flush=True)\n" + "while True: pass\"")));
        Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(ok(api.post("/process/logs", Map.of("name", "hog")))
                                .path("stdout")
                                .asString())
                        .isEqualTo("ready\n"));

        JsonNode run = ok(api.post("/execute", Map.of("language", "shell", "code", "sleep 0.5; echo done")));

        assertThat(run.path("stdout").asString()).isEqualTo("done\n");
        assertThat(run.path("peakMemoryBytes").asLong())
                .as("not the 300 MB the process beside it holds")
                .isBetween(1L, 64L << 20);
        assertThat(run.path("cpuMs").asLong())
                .as("not the CPU the busy process beside it burns while this one sleeps")
                .isLessThan(200);
        ok(api.post("/process/kill", Map.of("name", "hog", "signal", "KILL")));
    }

    @Test
    void aResetEndsTheSandboxAndItsFiles(Api shared) {
        Api api = shared.withSandbox(name());
        ok(api.post("/files/write", Map.of("path", "gone.txt", "content", "soon")));
        String before = ok(api.get("/status")).path("sandboxId").asString();

        JsonNode reset = ok(api.post("/sandbox/reset", "{}"));

        assertThat(reset.path("previousSandboxId").asString()).isEqualTo(before);
        assertThat(reset.path("sandboxId").asString()).isNotEqualTo(before);
        refused(api.post("/files/read", Map.of("path", "gone.txt")), 404, "FILE_NOT_FOUND", "path");
        JsonNode status = ok(api.get("/status"));
        assertThat(status.path("sandboxId").asString())
                .isEqualTo(reset.path("sandboxId").asString());
        assertThat(status.has("sandboxRestarted"))
                .as("a reset asked for is no restart")
                .isFalse();
        assertThat(status.path("memoryLimitBytes").asLong()).isPositive();
        assertThat(status.path("processes").isArray()).isTrue();
    }

    @Test
    void anotherAccountNeverReachesTheSandbox(Api shared, dev.paperpod.launcher.EmbeddedStack stack) {
        String sandbox = name();
        Api mine = shared.withSandbox(sandbox);
        String token = "pp_other_" + UUID.randomUUID();
        stack.api().getBean(AccountTokens.class).register("other-" + token, "test", token);
        Api theirs = shared.withToken(token).withSandbox(sandbox);
        ok(mine.post("/files/write", Map.of("path", "secret.txt", "content", "mine")));
        ok(mine.post("/process/start", Map.of("name", "mine", "command", "exec sleep 300")));
        String myId = ok(mine.get("/status")).path("sandboxId").asString();

        refused(theirs.post("/files/read", Map.of("path", "secret.txt")), 404, "FILE_NOT_FOUND", "path");
        refused(theirs.post("/process/kill", Map.of("name", "mine")), 404, "PROCESS_NOT_FOUND", "name");
        assertThat(ok(theirs.get("/status")).path("sandboxId").asString()).isNotEqualTo(myId);
        ok(theirs.post("/sandbox/reset", "{}"));

        assertThat(ok(mine.post("/files/read", Map.of("path", "secret.txt")))
                        .path("content")
                        .asString())
                .isEqualTo("mine");
        assertThat(ok(mine.get("/status")).path("sandboxId").asString()).isEqualTo(myId);
    }

    @Test
    void aProcessLogIsFollowedAsItComesUntilTheProcessExits(Api shared, EmbeddedStack stack) throws Exception {
        String sandbox = name();
        Api api = shared.withSandbox(sandbox);
        ok(api.post(
                "/process/start",
                Map.of(
                        "name",
                        "waiter",
                        "command",
                        "echo first; while [ ! -f go ]; do sleep 0.05; done; echo second; echo oops >&2; exit 4")));

        java.net.http.HttpResponse<java.util.stream.Stream<String>> stream = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.baseUrl() + "/process/logs"))
                                .header("Authorization", "Bearer " + api.token())
                                .header("X-PaperPod-Sandbox", sandbox)
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                        "{\"name\":\"waiter\",\"follow\":true}"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        StringBuilder seen = new StringBuilder();
        java.util.Iterator<String> lines = stream.body().iterator();
        while (lines.hasNext()) {
            String line = lines.next();
            seen.append(line).append('\n');
            if (line.contains("first")) {
                // still running, waiting for this file: what comes next is followed, not kept
                ok(api.post("/files/write", Map.of("path", "go", "content", "")));
            }
            if (line.startsWith("event: exited")) {
                seen.append(lines.next()).append('\n');
                break;
            }
        }

        assertThat(seen.toString())
                .contains("event: sandbox")
                .contains("\"stream\":\"stdout\",\"data\":\"first\\n\"")
                .contains("\"stream\":\"stdout\",\"data\":\"second\\n\"")
                .contains("\"stream\":\"stderr\",\"data\":\"oops\\n\"")
                .contains("\"exitCode\":4");
        refused(api.post("/process/logs", Map.of("name", "nobody", "follow", true)), 404, "PROCESS_NOT_FOUND", "name");
    }

    @Test
    void statusTellsTheMemoryAndDiskInUseBesideTheirLimits(Api shared) {
        Api api = shared.withSandbox(name());
        JsonNode before = ok(api.get("/status"));
        ok(api.post(
                "/execute",
                Map.of(
                        "language",
                        "shell",
                        "code",
                        "head -c 3000000 /dev/urandom > blob && head -c 1000000 /dev/zero > /tmp/t")));

        JsonNode after = ok(api.get("/status"));

        assertThat(after.path("diskLimitBytes").asLong()).isPositive();
        assertThat(after.path("diskBytes").asLong() - before.path("diskBytes").asLong())
                .as("the 3 MB written to /workspace")
                .isBetween(2_900_000L, 3_300_000L);
        assertThat(after.path("tmpBytes").asLong() - before.path("tmpBytes").asLong())
                .isBetween(900_000L, 1_200_000L);
        assertThat(after.path("tmpLimitBytes").asLong()).isPositive();
        assertThat(after.path("memoryBytes").asLong())
                .as("tmpfs files count against memory")
                .isGreaterThan(4_000_000L)
                .isLessThan(after.path("memoryLimitBytes").asLong());
    }
}
