package dev.paperpod.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.paperpod.agent.client.AgentException;
import dev.paperpod.agent.client.BackgroundProcess;
import dev.paperpod.agent.client.FileEntry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The agent's file and background-process requests, against an agent served on the host. */
class FilesAndProcessesTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @RegisterExtension
    final RunningAgent agent = agent();

    RunningAgent agent() {
        return RunningAgent.start();
    }

    @Test
    void writesAndReadsBackBinaryContentLargerThanAFrameStreamed() throws IOException {
        byte[] content = new byte[5 * 1024 * 1024 + 17];
        new Random(42).nextBytes(content);

        long size = agent.client.writeFile("data/blob.bin", new ByteArrayInputStream(content), 0640L, false, DEADLINE);
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        FileEntry info = agent.client.readFile("data/blob.bin", read, DEADLINE);

        assertThat(size).isEqualTo(content.length);
        assertThat(read.toByteArray()).isEqualTo(content);
        assertThat(info.size()).isEqualTo(content.length);
        assertThat(info.mode()).isEqualTo(0640);
        assertThat(agent.workspace.resolve("data/blob.bin")).hasBinaryContent(content);
    }

    @Test
    void appendsAndReplacesAtomicallyKeepingTheMode() throws IOException {
        agent.client.writeFile("notes.txt", text("one\n"), 0600L, false, DEADLINE);
        agent.client.writeFile("notes.txt", text("two\n"), null, true, DEADLINE);
        assertThat(agent.workspace.resolve("notes.txt")).hasContent("one\ntwo");

        agent.client.writeFile("notes.txt", text("three\n"), null, false, DEADLINE);

        assertThat(agent.workspace.resolve("notes.txt")).hasContent("three");
        assertThat(Files.getPosixFilePermissions(agent.workspace.resolve("notes.txt")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(agent.workspace).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void listsMakesMovesAndDeletes() throws IOException {
        agent.client.mkdir("a/b", true, DEADLINE);
        agent.client.writeFile("a/b/c.txt", text("c"), null, false, DEADLINE);
        agent.client.writeFile("a/top.txt", text("top"), null, false, DEADLINE);

        List<FileEntry> flat = agent.client.listFiles("a", false, DEADLINE);
        assertThat(flat).extracting(FileEntry::name).containsExactly("b", "top.txt");
        assertThat(flat).extracting(FileEntry::type).containsExactly("dir", "file");
        assertThat(flat.get(1).size()).isEqualTo(3);
        assertThat(agent.client.listFiles("a", true, DEADLINE))
                .extracting(FileEntry::name)
                .containsExactly("b", "b/c.txt", "top.txt");

        agent.client.move("a/top.txt", "moved/top.txt", false, DEADLINE);
        assertThat(agent.workspace.resolve("moved/top.txt")).hasContent("top");

        assertThatThrownBy(() -> agent.client.delete("a", false, DEADLINE))
                .isInstanceOfSatisfying(
                        AgentException.class, e -> assertThat(e.code()).isEqualTo("NOT_EMPTY"));
        agent.client.delete("a", true, DEADLINE);
        assertThat(agent.workspace.resolve("a")).doesNotExist();
    }

    @Test
    void answersFileErrorsWithCodes() {
        assertCode(() -> agent.client.readFile("missing.txt", new ByteArrayOutputStream(), DEADLINE), "NOT_FOUND");
        assertCode(() -> agent.client.listFiles("missing", false, DEADLINE), "NOT_FOUND");
        assertCode(() -> agent.client.readFile(".", new ByteArrayOutputStream(), DEADLINE), "IS_A_DIRECTORY");
        assertCode(() -> agent.client.delete("missing", true, DEADLINE), "NOT_FOUND");
    }

    @Test
    void runsABackgroundProcessKeepsItsOutputAndKillsItsWholeSession() throws IOException {
        String marker = "200." + System.nanoTime() % 1_000_000_000L;
        agent.client.startProcess(
                "ticker",
                List.of("/bin/sh", "-c", "echo started; echo oops >&2; sleep " + marker + " & sleep " + marker),
                Map.of(),
                null,
                DEADLINE);

        assertCode(() -> agent.client.startProcess("ticker", List.of("true"), Map.of(), null, DEADLINE), "EXISTS");
        await().atMost(Duration.ofSeconds(10)).until(() -> logs("ticker", false).contains("oops"));
        assertThat(logs("ticker", false)).contains("started\n");
        BackgroundProcess listed = agent.client.listProcesses(DEADLINE).get(0);
        assertThat(listed.name()).isEqualTo("ticker");
        assertThat(listed.running()).isTrue();

        agent.client.killProcess("ticker", "KILL", DEADLINE);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> !agent.client.listProcesses(DEADLINE).get(0).running());
        assertThat(ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().orElse("").contains(marker))
                        .count())
                .isZero();
    }

    @Test
    void followsABackgroundProcessUntilItExits() throws IOException {
        agent.client.startProcess(
                "counter",
                List.of("/bin/sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.1; done; exit 4"),
                Map.of(),
                null,
                DEADLINE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Integer exit =
                agent.client.processLogs("counter", Long.MAX_VALUE, true, (e, d, o, l) -> out.write(d, o, l), DEADLINE);

        assertThat(exit).isEqualTo(4);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("1\n2\n3\n");
    }

    @Test
    void resetKillsBackgroundProcessesAndForgetsThem() throws IOException {
        agent.client.startProcess("server", List.of("sleep", "300"), Map.of(), null, DEADLINE);

        assertThat(agent.client.reset(DEADLINE).verified()).isTrue();

        assertThat(agent.client.listProcesses(DEADLINE)).isEmpty();
    }

    private String logs(String name, boolean follow) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        agent.client.processLogs(name, Long.MAX_VALUE, follow, (e, d, o, l) -> out.write(d, o, l), DEADLINE);
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

    @Test
    void tunnelsBytesBothWaysToAPortOnTheLoopbackUntilEitherSideCloses() throws Exception {
        byte[] sent = new byte[3 * 1024 * 1024 + 5];
        new Random(7).nextBytes(sent);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException ignored) {
                    // the test fails on what it reads
                }
            });
            echo.start();
            try (SocketChannel tunnel = agent.client.tunnel(server.getLocalPort(), DEADLINE)) {
                Thread writer = new Thread(() -> {
                    try {
                        ByteBuffer out = ByteBuffer.wrap(sent);
                        while (out.hasRemaining()) {
                            tunnel.write(out);
                        }
                        tunnel.shutdownOutput();
                    } catch (IOException ignored) {
                        // the test fails on what it reads
                    }
                });
                writer.start();
                ByteArrayOutputStream back = new ByteArrayOutputStream();
                ByteBuffer in = ByteBuffer.allocate(1 << 16);
                while (tunnel.read(in) >= 0) {
                    back.write(in.array(), 0, in.position());
                    in.clear();
                }
                writer.join();
                assertThat(back.toByteArray()).isEqualTo(sent);
            }
            echo.join();
        }
    }

    @Test
    void aTunnelToAPortNobodyListensOnIsRefusedAndNamesThePort() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }

        assertThatThrownBy(() -> agent.client.tunnel(port, DEADLINE))
                .isInstanceOf(AgentException.class)
                .hasMessageContaining("CONNECT_REFUSED")
                .hasMessageContaining("port " + port);
        assertThatThrownBy(() -> agent.client.tunnel(70_000, DEADLINE)).hasMessageContaining("BAD_REQUEST");
    }

    @Test
    void statsTellTheSpaceUsedWhereFilesGo() throws IOException {
        var before = agent.client.stats(DEADLINE);
        agent.client.writeFile("space.bin", new ByteArrayInputStream(new byte[2 * 1024 * 1024]), null, false, DEADLINE);

        var after = agent.client.stats(DEADLINE);

        assertThat(after.workspaceSizeBytes()).isPositive();
        assertThat(after.workspaceBytes()).isGreaterThanOrEqualTo(before.workspaceBytes());
        assertThat(after.tmpSizeBytes()).isPositive();
    }
}
