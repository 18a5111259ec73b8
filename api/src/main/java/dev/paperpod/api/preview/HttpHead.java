package dev.paperpod.api.preview;

import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The head of an HTTP/1.1 answer as a server in a sandbox sends it, and its body's framings (RFC 9112): enough of
 * HTTP for a proxy that hands bodies on as they come.
 */
public record HttpHead(int status, List<Header> headers) {

    static final byte[] CRLF = {'\r', '\n'};

    private static final int MAX_LINE = 64 * 1024;
    private static final int MAX_HEADERS = 256;

    public record Header(String name, String value) {}

    @Nullable
    String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    public static HttpHead read(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.1 answer: '" + statusLine + "'");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: '" + statusLine + "'");
        }
        List<Header> headers = new ArrayList<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            if (colon <= 0 || headers.size() == MAX_HEADERS) {
                throw new IOException("a malformed header line: '" + line + "'");
            }
            headers.add(new Header(
                    line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        return new HttpHead(status, List.copyOf(headers));
    }

    /** One line without its CRLF (or bare LF). */
    static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed the connection inside its answer's head");
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            if (line.length() == MAX_LINE) {
                throw new IOException("a line of the answer's head is longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
    }

    /**
     * Copies up to {@code n} bytes (all until the end when {@code n} is {@link Long#MAX_VALUE}), flushing whenever
     * nothing more is there yet, so that what the server sends reaches the client as it comes.
     */
    static void copy(InputStream in, OutputStream out, long n, HttpServletResponse response) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                if (n == Long.MAX_VALUE) {
                    return;
                }
                throw new EOFException("the server's answer ended " + left + " bytes short of its Content-Length");
            }
            out.write(buffer, 0, read);
            left -= read;
            if (in.available() == 0) {
                response.flushBuffer();
            }
        }
    }

    /** Decodes a chunked body and hands its content on as it comes; the client's connection re-frames it. */
    static void copyChunked(InputStream in, OutputStream out, HttpServletResponse response) throws IOException {
        while (true) {
            String sizeLine = line(in);
            int semicolon = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("a malformed chunk size: '" + sizeLine + "'");
            }
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailers: dropped
                }
                return;
            }
            copy(in, out, size, response);
            if (!line(in).isEmpty()) {
                throw new IOException("a chunk longer than its size");
            }
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
