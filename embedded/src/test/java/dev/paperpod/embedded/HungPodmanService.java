package dev.paperpod.embedded;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Podman API service as a hung one looks from outside, run as its own process: {@code GET /_ping} is answered,
 * every other request never is. Its arguments end with the socket path; those before it only make its command
 * line look like {@code podman system service}'s.
 */
public final class HungPodmanService {

    private HungPodmanService() {}

    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[args.length - 1]);
        List<SocketChannel> held = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            while (true) {
                SocketChannel client = server.accept();
                ByteBuffer request = ByteBuffer.allocate(4096);
                String head = "";
                while (!head.contains("\r\n\r\n") && request.hasRemaining() && client.read(request) > 0) {
                    head = new String(request.array(), 0, request.position(), StandardCharsets.US_ASCII);
                }
                if (head.startsWith("GET /_ping ")) {
                    client.write(ByteBuffer.wrap(
                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK".getBytes(StandardCharsets.US_ASCII)));
                    client.close();
                } else {
                    held.add(client);
                }
            }
        }
    }
}
