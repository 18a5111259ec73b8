package dev.paperpod.worker.account;

import dev.paperpod.agent.client.AgentException;
import dev.paperpod.agent.client.FileEntry;
import dev.paperpod.worker.sandbox.AccountSandboxes;
import dev.paperpod.worker.sandbox.SandboxException;
import dev.paperpod.worker.sandbox.SandboxesBusyException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * Files of any size into and out of an account's sandbox, streamed over the tunnel listener's connection instead of
 * riding in one Kafka record: the api's {@code PUT} and {@code GET /files/content}. The sandbox is the account's by
 * name, made when there is none, as for a command.
 *
 * <pre>
 * → WRITE &lt;key&gt; &lt;accountId&gt; &lt;name&gt; &lt;path, URL-encoded&gt; &lt;length or -1&gt; &lt;mode or -&gt; &lt;append 0|1&gt;\n,
 *   then the content: length bytes, or all until the api closes its side
 * ← OK &lt;sandboxId&gt; &lt;size&gt;\n | ERR &lt;code&gt; &lt;message&gt;\n
 * → READ &lt;key&gt; &lt;accountId&gt; &lt;name&gt; &lt;path, URL-encoded&gt;\n
 * ← OK &lt;sandboxId&gt; &lt;size&gt; &lt;mode&gt; &lt;mtimeMs&gt;\n, then the file's bytes | ERR &lt;code&gt; &lt;message&gt;\n
 * </pre>
 *
 * Error codes are the agent's ({@code NOT_FOUND}, {@code IS_A_DIRECTORY}, {@code DENIED}, …) and the commands' own
 * ({@code SANDBOX_LIMIT}, {@code SANDBOX_UNAVAILABLE}, {@code SANDBOX_LOST}).
 */
final class FileStreams {

    /** Long enough for a large file at the slowest a client may send it. */
    private static final Duration DEADLINE = Duration.ofMinutes(30);

    private final AccountSandboxes sandboxes;

    FileStreams(AccountSandboxes sandboxes) {
        this.sandboxes = sandboxes;
    }

    /** A request's fields after its verb and key. */
    void write(String[] request, InputStream in, OutputStream out) throws IOException {
        if (request.length != 8) {
            TunnelServer.answer(
                    out, "ERR BAD_REQUEST expected WRITE <key> <account> <name> <path> <length> <mode> <append>");
            return;
        }
        long length = Long.parseLong(request[5]);
        Long mode = request[6].equals("-") ? null : Long.parseLong(request[6]);
        boolean append = request[7].equals("1");
        String path = URLDecoder.decode(request[4], StandardCharsets.UTF_8);
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
        if (request.length != 5) {
            TunnelServer.answer(out, "ERR BAD_REQUEST expected READ <key> <account> <name> <path>");
            return;
        }
        String path = URLDecoder.decode(request[4], StandardCharsets.UTF_8);
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

    private AccountSandboxes.Hosted acquire(String[] request, OutputStream out) throws IOException {
        try {
            return sandboxes.acquire(UUID.fromString(request[2]), request[3]);
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
