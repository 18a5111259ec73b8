package dev.paperpod.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.paperpod.agent.client.AgentException;
import dev.paperpod.agent.client.Cancellation;
import dev.paperpod.agent.client.ExecCommand;
import dev.paperpod.agent.client.ExecOutcome;
import dev.paperpod.agent.client.OutputListener;
import dev.paperpod.agent.client.ResetOutcome;
import dev.paperpod.agent.protocol.Frame;
import dev.paperpod.agent.protocol.FrameIO;
import dev.paperpod.agent.protocol.MessageType;
import dev.paperpod.agent.protocol.Tag;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Go agent served on the host, as the worker talks to it inside a sandbox. */
class SandboxAgentTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @RegisterExtension
    final RunningAgent agent = agent();

    RunningAgent agent() {
        return RunningAgent.start();
    }

    @Test
    void answersPingWithItsProtocolVersion() throws IOException {
        assertThat(agent.client.ping(DEADLINE)).isEqualTo(MessageType.PROTOCOL_VERSION);
    }

    @Test
    void runsAShellCommandAndStreamsItsOutput() throws IOException {
        Captured out = new Captured();
        ExecOutcome outcome =
                agent.client.exec(ExecCommand.shell("echo hi; echo oops >&2; exit 3", 10_000), out, DEADLINE);

        assertThat(outcome.verdict()).isEqualTo("OK");
        assertThat(outcome.exitCode()).isEqualTo(3);
        assertThat(out.stdout()).isEqualTo("hi\n");
        assertThat(out.stderr()).isEqualTo("oops\n");
        assertThat(out.pid).isPositive();
    }

    @Test
    void keepsAHandfulOfThreadsFromOneRunToTheNext() throws IOException {
        ExecCommand echo = ExecCommand.shell("echo hi", 10_000);
        agent.client.exec(echo, new Captured(), DEADLINE);
        int before = agent.threads();

        for (int i = 0; i < 20; i++) {
            assertThat(agent.client.exec(echo, new Captured(), DEADLINE).exitCode())
                    .isZero();
        }

        // the Go runtime parks goroutines on a few OS threads: a thread left behind by each run would make 20 or more
        int made = agent.threads() - before;
        assertThat(made).isLessThan(20);
    }

    @Test
    void makesItsJobsTheOomKillersPickAndKeepsItsOwnScore() throws IOException {
        Path score = Path.of("/proc", Long.toString(agent.pid()), "oom_score_adj");
        String before = Files.readString(score).trim();
        Captured out = new Captured();

        agent.client.exec(ExecCommand.shell("cat /proc/self/oom_score_adj", 10_000), out, DEADLINE);

        assertThat(out.stdout().trim()).isEqualTo("1000");
        assertThat(Files.readString(score).trim()).isEqualTo(before);
    }

    @Test
    void runsAScriptWithEnvironmentStdinAndWorkingDirectory() throws IOException {
        Files.createDirectories(agent.dir.resolve("work"));
        Captured out = new Captured();
        ExecCommand command = new ExecCommand(
                List.of("/bin/sh"),
                Map.of("GREETING", "hello"),
                agent.dir.resolve("work").toString(),
                "from stdin".getBytes(StandardCharsets.UTF_8),
                "echo \"$GREETING $(cat) in $(basename \"$PWD\")\"".getBytes(StandardCharsets.UTF_8),
                "main.sh",
                10_000,
                Long.MAX_VALUE);

        ExecOutcome outcome = agent.client.exec(command, out, DEADLINE);

        assertThat(outcome.exitCode()).isZero();
        assertThat(out.stdout()).isEqualTo("hello from stdin in work\n");
        assertThat(agent.dir.resolve("scratch")).isEmptyDirectory();
    }

    @Test
    void killsTheWholeProcessTreeAtTheTimeout() throws IOException {
        String marker = uniqueSleep();
        ExecOutcome outcome = agent.client.exec(
                ExecCommand.shell("sleep " + marker + " & sleep " + marker, 300), new Captured(), DEADLINE);

        assertThat(outcome.verdict()).isEqualTo("TIMEOUT");
        assertThat(outcome.exitCode()).isNull();
        assertThat(processesNamed(marker)).isZero();
    }

    @Test
    void cutsOutputAtTheLimitAndKillsTheFlood() throws IOException {
        Captured out = new Captured();
        ExecCommand flood =
                new ExecCommand(List.of("/bin/sh", "-c", "yes"), Map.of(), null, null, null, "script", 10_000, 100_000);

        ExecOutcome outcome = agent.client.exec(flood, out, DEADLINE);

        assertThat(outcome.verdict()).isEqualTo("OUTPUT_LIMIT");
        assertThat(outcome.truncated()).isTrue();
        assertThat(out.stdout.size()).isEqualTo(100_000);
    }

    @Test
    void killsTheRunWhenTheWorkerGoesAway() throws Exception {
        String marker = uniqueSleep();
        assertThatThrownBy(() -> agent.client.exec(
                        ExecCommand.shell("sleep " + marker, 0), new Captured(), Duration.ofMillis(300)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("did not finish");

        await().atMost(Duration.ofSeconds(10)).until(() -> processesNamed(marker) == 0);
    }

    @Test
    void cancelFromAnotherThreadKillsTheRunAndSaysCanceled() throws Exception {
        String marker = uniqueSleep();
        Cancellation cancellation = new Cancellation();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        Captured out = new Captured() {
            @Override
            public void started(long pid) {
                super.started(pid);
                started.countDown();
            }
        };
        var run = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return agent.client.exec(ExecCommand.shell("sleep " + marker, 60_000), out, DEADLINE, cancellation);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // STARTED may come while the child still execs the program, when /proc shows no command line for an instant
        await().atMost(Duration.ofSeconds(10)).until(() -> processesNamed(marker) > 0);

        cancellation.cancel();

        assertThatThrownBy(() -> run.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .hasCauseInstanceOf(java.io.UncheckedIOException.class)
                .rootCause()
                .isInstanceOf(Cancellation.CanceledException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> processesNamed(marker) == 0);
        assertThat(agent.client.ping(DEADLINE)).isEqualTo(MessageType.PROTOCOL_VERSION);
    }

    @Test
    void aCanceledCallNeverStartsItsCommand() {
        Cancellation cancellation = new Cancellation();
        cancellation.cancel();
        String marker = uniqueSleep();
        assertThatThrownBy(() -> agent.client.exec(
                        ExecCommand.shell("sleep " + marker, 60_000), new Captured(), DEADLINE, cancellation))
                .isInstanceOf(Cancellation.CanceledException.class);
        assertThat(processesNamed(marker)).isZero();
    }

    @Test
    void endsARunWhoseBackgroundChildKeepsTheOutputOpen() throws IOException {
        Captured out = new Captured();
        ExecOutcome outcome = agent.client.exec(ExecCommand.shell("sleep 300 & echo done", 10_000), out, DEADLINE);

        assertThat(outcome.verdict()).isEqualTo("OK");
        assertThat(outcome.exitCode()).isZero();
        assertThat(out.stdout()).isEqualTo("done\n");
    }

    @Test
    void refusesAProgramThatDoesNotExist() {
        for (String program : List.of("/no/such/program", "no-such-program-on-path")) {
            ExecCommand missing =
                    new ExecCommand(List.of(program), Map.of(), null, null, null, "script", 1_000, Long.MAX_VALUE);

            assertThatThrownBy(() -> agent.client.exec(missing, new Captured(), DEADLINE))
                    .isInstanceOfSatisfying(
                            AgentException.class, e -> assertThat(e.code()).isEqualTo("SPAWN_FAILED"))
                    .hasMessageContaining(program);
        }
    }

    @Test
    void resetKillsWhatARunLeftBehindAndWipesTheResetDirectories() throws IOException {
        Path workspace = agent.workspace;
        String marker = uniqueSleep();
        ExecCommand leave = new ExecCommand(
                List.of("/bin/sh", "-c", "(sleep " + marker + " >/dev/null 2>&1 &); mkdir -p sub && echo s > sub/f"),
                Map.of(),
                workspace.toString(),
                null,
                null,
                "script",
                10_000,
                Long.MAX_VALUE);
        assertThat(agent.client.exec(leave, new Captured(), DEADLINE).exitCode())
                .isZero();
        assertThat(processesNamed(marker)).as("an orphan outlives its run").isEqualTo(1);

        ResetOutcome reset = agent.client.reset(DEADLINE);

        assertThat(reset.verified()).as(String.valueOf(reset.problem())).isTrue();
        assertThat(reset.killed()).isGreaterThanOrEqualTo(1);
        assertThat(workspace).isEmptyDirectory();
        await().atMost(Duration.ofSeconds(10)).until(() -> processesNamed(marker) == 0);
        assertThat(agent.client
                        .exec(ExecCommand.shell("echo still serving", 5_000), new Captured(), DEADLINE)
                        .exitCode())
                .isZero();
    }

    @Test
    void answersMalformedFramesWithAnErrorAndKeepsServing() throws IOException {
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(agent.client.socket()))) {
            // an EXEC whose field list ends in the middle of a value
            FrameIO.write(raw, MessageType.EXEC, new byte[] {(byte) Tag.ARGV, 4, 0, 0});
            Frame answer = FrameIO.read(raw);
            assertThat(answer).isNotNull();
            assertThat(answer.type()).isEqualTo(MessageType.ERROR);
            assertThat(answer.fields().getString(Tag.ERROR_CODE)).isEqualTo("BAD_FRAME");
        }
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(agent.client.socket()))) {
            // a frame header claiming a gigabyte
            raw.write(
                    ByteBuffer.allocate(5).putInt(1 << 30).put(MessageType.EXEC).flip());
            Frame answer = FrameIO.read(raw);
            assertThat(answer).isNotNull();
            assertThat(answer.fields().getString(Tag.ERROR_CODE)).isEqualTo("BAD_FRAME");
        }
        assertThat(agent.client.ping(DEADLINE)).isEqualTo(MessageType.PROTOCOL_VERSION);
    }

    /** A sleep long enough to outlive the test, whose argument tells its process apart from any other. */
    private static String uniqueSleep() {
        return "300." + System.nanoTime() % 1_000_000_000L;
    }

    private static long processesNamed(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(marker)
                        || p.info().command().orElse("").contains(marker))
                .count();
    }

    private static class Captured implements OutputListener {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        long pid;

        @Override
        public void started(long pid) {
            this.pid = pid;
        }

        @Override
        public void output(boolean isStderr, byte[] data, int offset, int length) {
            (isStderr ? stderr : stdout).write(data, offset, length);
        }

        String stdout() {
            return stdout.toString(StandardCharsets.UTF_8);
        }

        String stderr() {
            return stderr.toString(StandardCharsets.UTF_8);
        }
    }
}
