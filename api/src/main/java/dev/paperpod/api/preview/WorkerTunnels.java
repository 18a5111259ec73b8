package dev.paperpod.api.preview;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;

/**
 * Opens a connection to a port inside a sandbox through its worker's tunnel listener (the worker's
 * {@code TunnelServer}): one line out, one line back, then the connection's bytes.
 */
final class WorkerTunnels {

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
    static Socket open(WorkerHeartbeat.Tunnel tunnel, String sandboxId, int port, byte[] first) {
        int colon = tunnel.address().lastIndexOf(':');
        String host = tunnel.address().substring(0, colon);
        int tunnelPort = Integer.parseInt(tunnel.address().substring(colon + 1));
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, tunnelPort), CONNECT_TIMEOUT_MS);
            socket.setSoTimeout(ANSWER_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            byte[] line = ("TUNNEL " + tunnel.key() + " " + sandboxId + " " + port + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] both = new byte[line.length + first.length];
            System.arraycopy(line, 0, both, 0, line.length);
            System.arraycopy(first, 0, both, line.length, first.length);
            out.write(both);
            out.flush();
            String answer = readLine(socket.getInputStream());
            socket.setSoTimeout(0);
            if (answer.equals("OK")) {
                return socket;
            }
            close(socket);
            throw refusal(answer, port);
        } catch (IOException e) {
            close(socket);
            throw new ApiException(
                    HttpStatus.BAD_GATEWAY,
                    "WORKER_UNREACHABLE",
                    "the worker hosting the sandbox did not take the preview connection: " + e.getMessage(),
                    "retry in a few seconds; GET /health shows whether workers are up",
                    null);
        }
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
            case "GONE" -> Previews.gone(why, "a sandbox made anew has a new id: POST /expose again for its URL");
            default -> throw new IllegalStateException("the worker's tunnel refused the api: " + answer);
        };
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (line.length() < 1024) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the worker closed the tunnel before it answered");
            }
            if (b == '\n') {
                return line.toString();
            }
            line.append((char) b);
        }
        throw new IOException("the worker's tunnel answered a line too long");
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed already
        }
    }
}
