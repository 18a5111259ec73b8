package dev.paperpod.api.sandbox;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.sandbox.SandboxOperation;
import dev.paperpod.schemas.sandbox.SandboxReply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;

/**
 * Connections to a worker's tunnel listener (the worker's {@code TunnelServer}), the api's byte path to the account
 * sandboxes it hosts: to a port inside one (preview URLs), or for a file streamed in or out. One line out, one line
 * back, then bytes.
 */
public final class WorkerTunnels {

    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int ANSWER_TIMEOUT_MS = 15_000;

    private WorkerTunnels() {}

    /**
     * A connection to {@code port} of the sandbox that has been sent {@code first} (the request's head): sent with
     * the tunnel's line, before its answer, to save a round trip.
     *
     * @throws ApiException 410 when the sandbox is not on the worker, 502 when nothing listens on the port or the
     *     worker cannot be reached
     */
    public static Socket open(WorkerHeartbeat.Tunnel tunnel, String sandboxId, int port, byte[] first) {
        Socket socket = connect(tunnel, "TUNNEL " + sandboxId + " " + port, first);
        try {
            socket.setSoTimeout(ANSWER_TIMEOUT_MS);
            String answer = readLine(socket.getInputStream());
            socket.setSoTimeout(0);
            if (answer.equals("OK")) {
                return socket;
            }
            close(socket);
            throw refusal(answer, port);
        } catch (IOException e) {
            close(socket);
            throw unreachable(e);
        }
    }

    /**
     * A connection to the worker's listener that has been sent {@code verb}'s line (the worker's key put in as its
     * second word) and {@code first}.
     *
     * @throws ApiException 502 when the worker cannot be reached
     */
    public static Socket connect(WorkerHeartbeat.Tunnel tunnel, String request, byte[] first) {
        int colon = tunnel.address().lastIndexOf(':');
        String host = tunnel.address().substring(0, colon);
        int tunnelPort = Integer.parseInt(tunnel.address().substring(colon + 1));
        int space = request.indexOf(' ');
        byte[] line = (request.substring(0, space) + " " + tunnel.key() + request.substring(space) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, tunnelPort), CONNECT_TIMEOUT_MS);
            byte[] both = new byte[line.length + first.length];
            System.arraycopy(line, 0, both, 0, line.length);
            System.arraycopy(first, 0, both, line.length, first.length);
            OutputStream out = socket.getOutputStream();
            out.write(both);
            out.flush();
            return socket;
        } catch (IOException e) {
            close(socket);
            throw unreachable(e);
        }
    }

    static ApiException unreachable(IOException e) {
        return new ApiException(
                HttpStatus.BAD_GATEWAY,
                "WORKER_UNREACHABLE",
                "the worker hosting the sandbox did not take the connection: " + e.getMessage(),
                "retry in a few seconds; GET /health shows whether workers are up",
                null);
    }

    private static ApiException refusal(String answer, int port) {
        int space = answer.indexOf(' ');
        String code = space < 0 ? answer : answer.substring(0, space);
        String why = space < 0 ? "" : answer.substring(space + 1);
        return switch (code) {
            case "REFUSED" ->
                new ApiException(
                        HttpStatus.BAD_GATEWAY,
                        "NOTHING_LISTENING",
                        "nothing in the sandbox accepts connections on port " + port,
                        "start a server that binds 0.0.0.0 on port " + port + ", e.g. POST /process/start "
                                + "{\"command\": \"python -m http.server " + port + " --bind 0.0.0.0\"}",
                        null);
            case "GONE" ->
                new ApiException(
                        HttpStatus.GONE,
                        "SANDBOX_GONE",
                        why,
                        "a sandbox made anew has a new id: POST /expose again for its URL",
                        null);
            default -> throw new IllegalStateException("the worker's tunnel refused the api: " + answer);
        };
    }

    /**
     * A streamed call's {@code ERR <code> <message>} answer as the client's error, told as for a command of
     * {@code operation}.
     */
    static ApiException refusal(String answer, SandboxOperation operation) {
        String[] err = answer.split(" ", 3);
        if (err.length < 2 || !err[0].equals("ERR")) {
            throw new IllegalStateException("the worker answered a streamed call with '" + answer + "'");
        }
        return SandboxErrors.of(new SandboxReply.Failure(err[1], err.length > 2 ? err[2] : ""), operation);
    }

    /** The worker's answer line. */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (line.size() < 16 * 1024) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the worker closed the connection before it answered");
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        throw new IOException("the worker answered a line too long");
    }

    public static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed already
        }
    }
}
