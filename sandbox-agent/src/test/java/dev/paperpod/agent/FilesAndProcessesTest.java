package dev.paperpod.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.paperpod.agent.client.AgentClient;
import dev.paperpod.agent.client.AgentException;
import dev.paperpod.agent.client.BackgroundProcess;
import dev.paperpod.agent.client.FileEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's file and background-process requests, against an agent served on the host. */
class FilesAndProcessesTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private RunningAgent agent;
    private AgentClient client;

    @BeforeEach
    void start() throws IOException {
        agent = new RunningAgent(dir);
        client = agent.client;
    }

    @AfterEach
    void stop() throws IOException {
        agent.close();
    }

    @Test
    void writesAndReadsBackBinaryContentLargerThanAFrameStreamed() throws IOException {
        byte[] content = new byte[5 * 1024 * 1024 + 17];
        new Random(42).nextBytes(content);

        long size = client.writeFile("data/blob.bin", new ByteArrayInputStream(content), 0640L, false, DEADLINE);
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        FileEntry info = client.readFile("data/blob.bin", read, DEADLINE);

        assertThat(size).isEqualTo(content.length);
        assertThat(read.toByteArray()).isEqualTo(content);
        assertThat(info.size()).isEqualTo(content.length);
        assertThat(info.mode()).isEqualTo(0640);
        assertThat(agent.workspace.resolve("data/blob.bin")).hasBinaryContent(content);
    }

    @Test
    void appendsAndReplacesAtomicallyKeepingTheMode() throws IOException {
        client.writeFile("notes.txt", text("one\n"), 0600L, false, DEADLINE);
        client.writeFile("notes.txt", text("two\n"), null, true, DEADLINE);
        assertThat(agent.workspace.resolve("notes.txt")).hasContent("one\ntwo");

        client.writeFile("notes.txt", text("three\n"), null, false, DEADLINE);

        assertThat(agent.workspace.resolve("notes.txt")).hasContent("three");
        assertThat(FileOps.mode(Files.getPosixFilePermissions(agent.workspace.resolve("notes.txt"))))
                .isEqualTo(0600);
        assertThat(agent.workspace).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void listsMakesMovesAndDeletes() throws IOException {
        client.mkdir("a/b", true, DEADLINE);
        client.writeFile("a/b/c.txt", text("c"), null, false, DEADLINE);
        client.writeFile("a/top.txt", text("top"), null, false, DEADLINE);

        List<FileEntry> flat = client.listFiles("a", false, DEADLINE);
        assertThat(flat).extracting(FileEntry::name).containsExactly("b", "top.txt");
        assertThat(flat).extracting(FileEntry::type).containsExactly("dir", "file");
        assertThat(flat.get(1).size()).isEqualTo(3);
        assertThat(client.listFiles("a", true, DEADLINE))
                .extracting(FileEntry::name)
                .containsExactly("b", "b/c.txt", "top.txt");

        client.move("a/top.txt", "moved/top.txt", false, DEADLINE);
        assertThat(agent.workspace.resolve("moved/top.txt")).hasContent("top");

        assertThatThrownBy(() -> client.delete("a", false, DEADLINE))
                .isInstanceOfSatisfying(
                        AgentException.class, e -> assertThat(e.code()).isEqualTo("NOT_EMPTY"));
        client.delete("a", true, DEADLINE);
        assertThat(agent.workspace.resolve("a")).doesNotExist();
    }

    @Test
    void answersFileErrorsWithCodes() {
        assertCode(() -> client.readFile("missing.txt", new ByteArrayOutputStream(), DEADLINE), "NOT_FOUND");
        assertCode(() -> client.listFiles("missing", false, DEADLINE), "NOT_FOUND");
        assertCode(() -> client.readFile(".", new ByteArrayOutputStream(), DEADLINE), "IS_A_DIRECTORY");
        assertCode(() -> client.delete("missing", true, DEADLINE), "NOT_FOUND");
    }

    @Test
    void runsABackgroundProcessKeepsItsOutputAndKillsItsWholeSession() throws IOException {
        String marker = "200." + System.nanoTime() % 1_000_000_000L;
        client.startProcess(
                "ticker",
                List.of("/bin/sh", "-c", "echo started; echo oops >&2; sleep " + marker + " & sleep " + marker),
                Map.of(),
                null,
                DEADLINE);

        assertCode(() -> client.startProcess("ticker", List.of("true"), Map.of(), null, DEADLINE), "EXISTS");
        await().atMost(Duration.ofSeconds(10)).until(() -> logs("ticker", false).contains("oops"));
        assertThat(logs("ticker", false)).contains("started\n");
        BackgroundProcess listed = client.listProcesses(DEADLINE).get(0);
        assertThat(listed.name()).isEqualTo("ticker");
        assertThat(listed.running()).isTrue();

        client.killProcess("ticker", "KILL", DEADLINE);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> !client.listProcesses(DEADLINE).get(0).running());
        assertThat(ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().orElse("").contains(marker))
                        .count())
                .isZero();
    }

    @Test
    void followsABackgroundProcessUntilItExits() throws IOException {
        client.startProcess(
                "counter",
                List.of("/bin/sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.1; done; exit 4"),
                Map.of(),
                null,
                DEADLINE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Integer exit =
                client.processLogs("counter", Long.MAX_VALUE, true, (e, d, o, l) -> out.write(d, o, l), DEADLINE);

        assertThat(exit).isEqualTo(4);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("1\n2\n3\n");
    }

    @Test
    void resetKillsBackgroundProcessesAndForgetsThem() throws IOException {
        client.startProcess("server", List.of("sleep", "300"), Map.of(), null, DEADLINE);

        assertThat(client.reset(DEADLINE).verified()).isTrue();

        assertThat(client.listProcesses(DEADLINE)).isEmpty();
    }

    private String logs(String name, boolean follow) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.processLogs(name, Long.MAX_VALUE, follow, (e, d, o, l) -> out.write(d, o, l), DEADLINE);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private interface Call {
        void run() throws IOException;
    }

    private static void assertCode(Call call, String code) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        AgentException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
