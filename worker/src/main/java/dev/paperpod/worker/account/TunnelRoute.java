package dev.paperpod.worker.account;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A kind of connection the tunnel listener ({@link TunnelServer}) serves besides the account sandboxes' own: a verb
 * of its first line, and what follows it (a browser session's WebSocket, {@code BROWSER}).
 */
public interface TunnelRoute {

    /** The line's first word. */
    String verb();

    /**
     * Serves the connection: answers in one line ({@code OK}, or why not), then carries its bytes.
     *
     * @param line the line's words, the worker's key (checked) second
     * @param in the connection's input, past the line
     */
    void serve(String[] line, Socket client, InputStream in, OutputStream out) throws IOException;
}
