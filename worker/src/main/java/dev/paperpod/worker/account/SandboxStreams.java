package dev.paperpod.worker.account;

import dev.paperpod.agent.client.AgentException;
import dev.paperpod.agent.client.FileEntry;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.worker.sandbox.AccountSandboxes;
import dev.paperpod.worker.sandbox.SandboxException;
import dev.paperpod.worker.sandbox.SandboxesBusyException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What streams between the api and an account's sandbox over the tunnel listener's connection instead of riding in
 * one Kafka record: files of any size (the api's {@code PUT} and {@code GET /files/content}) and a background
 * process's output as it comes ({@code /process/logs} with {@code follow}). The sandbox is the account's by name,
 * made when there is none, as for a command, on the network the line names ({@code -}: the worker's default).
 * {@code <sandbox>} below is {@code <accountId> <name> <network or ->}.
 *
 * <pre>
 * → WRITE &lt;key&gt; &lt;sandbox&gt; &lt;path, URL-encoded&gt; &lt;length or -1&gt; &lt;mode or -&gt; &lt;append 0|1&gt;\n,
 *   then the content: length bytes, or all until the api closes its side
 * ← OK &lt;sandboxId&gt; &lt;size&gt;\n | ERR &lt;code&gt; &lt;message&gt;\n
 * → READ &lt;key&gt; &lt;sandbox&gt; &lt;path, URL-encoded&gt;\n
 * ← OK &lt;sandboxId&gt; &lt;size&gt; &lt;mode&gt; &lt;mtimeMs&gt;\n, then the file's bytes | ERR &lt;code&gt; &lt;message&gt;\n
 * → LOGS &lt;key&gt; &lt;sandbox&gt; &lt;process&gt; &lt;tail bytes&gt;\n
 * ← OK &lt;sandboxId&gt;\n, then chunks: O &lt;n&gt;\n and n bytes of stdout | E &lt;n&gt;\n and n of stderr | K\n
 *   (nothing new for a while) ..., and at the end X &lt;exit code&gt;\n | ERR &lt;code&gt; &lt;message&gt;\n
 * </pre>
 *
 * Error codes are the agent's ({@code NOT_FOUND}, {@code IS_A_DIRECTORY}, {@code DENIED}, …) and the commands' own
 * ({@code SANDBOX_LIMIT}, {@code SANDBOX_UNAVAILABLE}, {@code SANDBOX_LOST}).
 */
final class SandboxStreams {

    /** Long enough for a large file at the slowest a client may send it. */
    private static final Duration DEADLINE = Duration.ofMinutes(30);

    /** How long a followed log may last. */
    private static final Duration FOLLOW_DEADLINE = Duration.ofHours(24);

    /** A followed log with nothing new says so this often, which also finds a client that went away. */
    private static final long KEEP_ALIVE_MS = 15_000;

    private static final ScheduledExecutorService KEEP_ALIVE = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "log-keep-alive");
        t.setDaemon(true);
        return t;
    });

    private final AccountSandboxes sandboxes;

    SandboxStreams(AccountSandboxes sandboxes) {
        this.sandboxes = sandboxes;
    }

    void logs(String[] request, Socket client, OutputStream out) throws IOException {
        if (request.length != 7) {
            TunnelServer.answer(out, "ERR BAD_REQUEST expected LOGS <key> <account> <name> <network> <process> <tail>");
            return;
        }
        String process = request[5];
        long tail = Long.parseLong(request[6]);
        AccountSandboxes.Hosted hosted = acquire(request, out);
        if (hosted == null) {
            return;
        }
        Object lock = new Object();
        long[] lastWrite = {System.nanoTime()};
        ScheduledFuture<?> keepAlive = KEEP_ALIVE.scheduleWithFixedDelay(
                () -> {
                    synchronized (lock) {
                        if (System.nanoTime() - lastWrite[0] < KEEP_ALIVE_MS * 1_000_000) {
                            return;
                        }
                        try {
                            out.write(K);
                            out.flush();
                            lastWrite[0] = System.nanoTime();
                        } catch (IOException e) {
                            // the api went away: the follow below ends at the process's next output
                            TunnelServer.closeQuietly(client);
                        }
                    }
                },
                KEEP_ALIVE_MS,
                KEEP_ALIVE_MS,
                TimeUnit.MILLISECONDS);
        boolean begun = false;
        try {
            // an unknown process is refused before the stream begins, so the api can still answer 404
            if (hosted.sandbox().agent().listProcesses(Duration.ofSeconds(10)).stream()
                    .noneMatch(p -> p.name().equals(process))) {
                TunnelServer.answer(out, "ERR NOT_FOUND no background process '" + process + "'");
                return;
            }
            TunnelServer.answer(out, "OK " + hosted.sandbox().id());
            begun = true;
            Integer exit = hosted.sandbox()
                    .agent()
                    .processLogs(
                            process,
                            tail,
                            true,
                            (stderr, data, off, len) -> {
                                synchronized (lock) {
                                    try {
                                        out.write(((stderr ? "E " : "O ") + len + "\n")
                                                .getBytes(StandardCharsets.US_ASCII));
                                        out.write(data, off, len);
                                        out.flush();
                                        lastWrite[0] = System.nanoTime();
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                }
                            },
                            FOLLOW_DEADLINE);
            synchronized (lock) {
                TunnelServer.answer(out, "X " + (exit == null ? "-" : exit));
            }
        } catch (AgentException e) {
            synchronized (lock) {
                TunnelServer.answer(out, "ERR " + e.code() + " " + e.getMessage());
            }
        } catch (IOException | UncheckedIOException e) {
            if (!begun) {
                fail(hosted, out, new IOException(e));
            }
            // the api went away (or the agent mid-way): the agent stops following as its connection closes
        } finally {
            keepAlive.cancel(false);
            hosted.release();
        }
    }

    private static final byte[] K = {'K', '\n'};

    /** A request's fields after its verb and key. */
    void write(String[] request, InputStream in, OutputStream out) throws IOException {
        if (request.length != 9) {
            TunnelServer.answer(
                    out,
                    "ERR BAD_REQUEST expected WRITE <key> <account> <name> <network> <path> <length> <mode> <append>");
            return;
        }
        long length = Long.parseLong(request[6]);
        Long mode = request[7].equals("-") ? null : Long.parseLong(request[7]);
        boolean append = request[8].equals("1");
        String path = URLDecoder.decode(request[5], StandardCharsets.UTF_8);
        AccountSandboxes.Hosted hosted = acquire(request, out);
        if (hosted == null) {
            return;
        }
        try {
            long size = hosted.sandbox()
                    .agent()
                    .writeFile(path, length < 0 ? in : new Bounded(in, length), mode, append, DEADLINE);
            TunnelServer.answer(out, "OK " + hosted.sandbox().id() + " " + size);
        } catch (AgentException e) {
            TunnelServer.answer(out, "ERR " + e.code() + " " + e.getMessage());
        } catch (IOException e) {
            fail(hosted, out, e);
        } finally {
            hosted.release();
        }
    }

    void read(String[] request, OutputStream out) throws IOException {
        if (request.length != 6) {
            TunnelServer.answer(out, "ERR BAD_REQUEST expected READ <key> <account> <name> <network> <path>");
            return;
        }
        String path = URLDecoder.decode(request[5], StandardCharsets.UTF_8);
        AccountSandboxes.Hosted hosted = acquire(request, out);
        if (hosted == null) {
            return;
        }
        boolean[] begun = {false};
        try {
            hosted.sandbox()
                    .agent()
                    .readFile(
                            path,
                            (FileEntry info) -> {
                                TunnelServer.answer(
                                        out,
                                        "OK " + hosted.sandbox().id() + " " + info.size() + " " + info.mode() + " "
                                                + info.mtimeMs());
                                begun[0] = true;
                            },
                            out,
                            DEADLINE);
            out.flush();
        } catch (AgentException e) {
            if (!begun[0]) {
                TunnelServer.answer(out, "ERR " + e.code() + " " + e.getMessage());
            }
        } catch (IOException e) {
            if (!begun[0]) {
                fail(hosted, out, e);
            }
            // begun: the api went away, or the agent mid-way; the api sees the content end short
        } finally {
            hosted.release();
        }
    }

    /** The sandbox that words 2–4 of the line name ({@code <accountId> <name> <network or ->}), or null if refused. */
    private AccountSandboxes.@Nullable Hosted acquire(String[] request, OutputStream out) throws IOException {
        Egress network = null;
        if (!request[4].equals("-")) {
            network = Egress.fromWireName(request[4]).orElse(null);
            if (network == null) {
                TunnelServer.answer(out, "ERR BAD_REQUEST no network '" + request[4] + "'");
                return null;
            }
        }
        try {
            return sandboxes.acquire(UUID.fromString(request[2]), request[3], network);
        } catch (SandboxesBusyException e) {
            TunnelServer.answer(out, "ERR SANDBOX_LIMIT " + e.getMessage());
        } catch (SandboxException e) {
            TunnelServer.answer(out, "ERR SANDBOX_UNAVAILABLE " + e.getMessage());
        }
        return null;
    }

    /** The agent stopped answering, or the api went away: the former ends the sandbox, as for a command. */
    private void fail(AccountSandboxes.Hosted hosted, OutputStream out, IOException e) throws IOException {
        if (hosted.sandbox().agent().socket().toFile().exists()) {
            try {
                hosted.sandbox().agent().ping(Duration.ofSeconds(2));
                TunnelServer.answer(out, "ERR IO_ERROR " + e.getMessage());
                return;
            } catch (IOException gone) {
                // lost: below
            }
        }
        sandboxes.lost(hosted);
        TunnelServer.answer(out, "ERR SANDBOX_LOST the sandbox stopped answering and was ended: " + e);
    }

    /** The first {@code length} bytes of a stream, then its end, whatever follows. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long length) {
            super(in);
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("the upload ended " + left + " bytes short of its length");
            }
            left -= n;
            return n;
        }
    }
}
