package dev.paperpod.worker.account;

import dev.paperpod.agent.client.AgentClient;
import dev.paperpod.agent.client.AgentException;
import dev.paperpod.agent.client.BackgroundProcess;
import dev.paperpod.agent.client.FileEntry;
import dev.paperpod.schemas.sandbox.SandboxAnswer;
import dev.paperpod.schemas.sandbox.SandboxCommand;
import dev.paperpod.schemas.sandbox.SandboxOperation;
import dev.paperpod.schemas.sandbox.SandboxReply;
import dev.paperpod.worker.WorkerProperties;
import dev.paperpod.worker.sandbox.AccountSandboxes;
import dev.paperpod.worker.sandbox.Sandbox;
import dev.paperpod.worker.sandbox.SandboxException;
import dev.paperpod.worker.sandbox.SandboxesBusyException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the commands of account sandboxes through their agents: the first command that names a sandbox makes
 * it. A refusal of the agent is the user's error, told with its code ({@code NOT_FOUND}, {@code IS_A_DIRECTORY}, …);
 * an agent that stops answering ends its sandbox, so the next command gets a new one.
 */
public final class SandboxCommands {

    private static final Logger log = LoggerFactory.getLogger(SandboxCommands.class);
    /** Most a command waits on its agent even when its client would wait longer. */
    private static final Duration MOST = Duration.ofMinutes(2);

    private final AccountSandboxes sandboxes;
    private final WorkerProperties.Sandbox limits;
    private final Clock clock;
    private final Kernels kernels = new Kernels();

    /** @param limits what each sandbox is allowed (memory, CPUs, processes), as {@code /status} tells */
    public SandboxCommands(AccountSandboxes sandboxes, WorkerProperties.Sandbox limits, Clock clock) {
        this.sandboxes = sandboxes;
        this.limits = limits;
        this.clock = clock;
    }

    /** The reply to {@code command}, an answer or an error; never throws. */
    public SandboxReply run(SandboxCommand command) {
        if (command.operation() instanceof SandboxOperation.Reset) {
            sandboxes.end(command.accountId(), command.sandbox());
        }
        AccountSandboxes.Hosted hosted;
        try {
            hosted = sandboxes.acquire(command.accountId(), command.sandbox(), command.network());
        } catch (SandboxesBusyException e) {
            return failed(command, null, "SANDBOX_LIMIT", e.getMessage());
        } catch (SandboxException e) {
            return failed(command, null, "SANDBOX_UNAVAILABLE", e.getMessage());
        }
        Sandbox sandbox = hosted.sandbox();
        try {
            SandboxAnswer answer = answer(command, hosted, sandbox);
            return new SandboxReply(command.commandId(), sandbox.id(), sandbox.createdAt(), answer, null);
        } catch (TooLargeException e) {
            return failed(command, sandbox, "TOO_LARGE", e.getMessage());
        } catch (AgentException e) {
            return failed(
                    command,
                    sandbox,
                    e.code(),
                    e.getMessage().substring(e.code().length() + 2));
        } catch (IOException e) {
            log.error("Lost the agent of sandbox {} ({}): {}", sandbox.id(), command.operation(), e.toString());
            sandboxes.lost(hosted);
            return failed(command, sandbox, "SANDBOX_LOST", "the sandbox stopped answering and was ended: " + e);
        } finally {
            hosted.release();
        }
    }

    private SandboxAnswer answer(SandboxCommand command, AccountSandboxes.Hosted hosted, Sandbox sandbox)
            throws IOException {
        AgentClient agent = sandbox.agent();
        Duration deadline = deadline(command);
        SandboxOperation op = command.operation();
        if (op instanceof SandboxOperation.WriteFile w) {
            return new SandboxAnswer.Written(
                    agent.writeFile(w.path(), new ByteArrayInputStream(w.content()), w.mode(), w.append(), deadline));
        }
        if (op instanceof SandboxOperation.ReadFile r) {
            BoundedBuffer content = new BoundedBuffer(r.maxBytes(), r.path());
            FileEntry file = agent.readFile(r.path(), content, deadline);
            return new SandboxAnswer.FileContent(
                    content.toByteArray(), file.size(), file.mode(), Instant.ofEpochMilli(file.mtimeMs()));
        }
        if (op instanceof SandboxOperation.ListFiles l) {
            return new SandboxAnswer.Entries(agent.listFiles(l.path(), l.recursive(), deadline).stream()
                    .map(e -> new SandboxAnswer.Entry(
                            e.name(), e.type(), e.size(), e.mode(), Instant.ofEpochMilli(e.mtimeMs())))
                    .toList());
        }
        if (op instanceof SandboxOperation.DeleteFile d) {
            agent.delete(d.path(), d.recursive(), deadline);
            return new SandboxAnswer.Done();
        }
        if (op instanceof SandboxOperation.MoveFile m) {
            agent.move(m.from(), m.to(), m.overwrite(), deadline);
            return new SandboxAnswer.Done();
        }
        if (op instanceof SandboxOperation.StartProcess p) {
            return new SandboxAnswer.Started(
                    p.name(),
                    agent.startProcess(p.name(), List.of("/bin/sh", "-c", p.command()), p.env(), p.cwd(), deadline));
        }
        if (op instanceof SandboxOperation.ListProcesses) {
            return new SandboxAnswer.Processes(processes(agent, deadline));
        }
        if (op instanceof SandboxOperation.KillProcess k) {
            agent.killProcess(k.name(), k.signal(), deadline);
            return new SandboxAnswer.Done();
        }
        if (op instanceof SandboxOperation.ProcessLogs l) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Integer exitCode = agent.processLogs(
                    l.name(),
                    l.tailBytes(),
                    false,
                    (stderr, data, offset, length) -> (stderr ? err : out).write(data, offset, length),
                    deadline);
            return new SandboxAnswer.Logs(
                    l.name(),
                    out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8),
                    exitCode == null,
                    exitCode);
        }
        if (op instanceof SandboxOperation.Status) {
            AgentClient.Usage usage = agent.stats(deadline);
            return new SandboxAnswer.Status(
                    sandbox.createdAt(),
                    hosted.lastUsedAt(),
                    hosted.idleExpiresAt(),
                    hosted.network().wireName(),
                    usage.memoryBytes(),
                    limits.memory().toBytes(),
                    limits.cpus(),
                    limits.pids(),
                    usage.workspaceBytes(),
                    usage.workspaceSizeBytes(),
                    usage.tmpBytes(),
                    usage.tmpSizeBytes(),
                    processes(agent, deadline));
        }
        if (op instanceof SandboxOperation.Interpret i) {
            return kernels.interpret(sandbox, i.code(), i.timeoutMs());
        }
        if (op instanceof SandboxOperation.Reset) {
            return new SandboxAnswer.Done(); // the sandbox it names is the new one
        }
        throw new IllegalArgumentException("no such sandbox operation: " + op);
    }

    private static List<SandboxAnswer.Process> processes(AgentClient agent, Duration deadline) throws IOException {
        return agent.listProcesses(deadline).stream()
                .map((BackgroundProcess p) -> new SandboxAnswer.Process(
                        p.name(),
                        p.pid(),
                        p.running(),
                        p.exitCode(),
                        Instant.ofEpochMilli(p.startedMs()),
                        p.droppedBytes()))
                .toList();
    }

    private Duration deadline(SandboxCommand command) {
        Duration left = Duration.between(clock.instant(), command.expiresAt());
        if (left.isNegative() || left.isZero()) {
            return Duration.ofMillis(1);
        }
        return left.compareTo(MOST) > 0 ? MOST : left;
    }

    private static SandboxReply failed(SandboxCommand command, @Nullable Sandbox sandbox, String code, String message) {
        return new SandboxReply(
                command.commandId(),
                sandbox == null ? null : sandbox.id(),
                sandbox == null ? null : sandbox.createdAt(),
                null,
                new SandboxReply.Failure(code, message));
    }

    /** A file read that grew past what a reply may carry. */
    private static final class TooLargeException extends IOException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /** Collects a file's bytes up to a bound; past it the read is given up. */
    private static final class BoundedBuffer extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final long max;
        private final String path;

        BoundedBuffer(long max, String path) {
            this.max = max;
            this.path = path;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (bytes.size() + (long) len > max) {
                throw new TooLargeException(path + " is larger than " + max + " bytes, the most a read answers");
            }
            bytes.write(b, off, len);
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }
}
