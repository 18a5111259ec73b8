package dev.paperpod.worker.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * {@code GET /metrics} in the Prometheus text format, on its own small HTTP server: the worker has no web stack
 * and needs none but this.
 */
public final class MetricsEndpoint implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final PrometheusMeterRegistry registry;
    private final String host;
    private final int requestedPort;
    private HttpServer server;

    /** @param port 0 for any free port; the one taken is {@link #port()} */
    public MetricsEndpoint(PrometheusMeterRegistry registry, String host, int port) {
        this.registry = registry;
        this.host = host;
        this.requestedPort = port;
    }

    @Override
    public void start() {
        try {
            server = HttpServer.create(new InetSocketAddress(host, requestedPort), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + host + ":" + requestedPort, e);
        }
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        log.info("Worker metrics on http://{}:{}/metrics", host, port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void stop() {
        server.stop(0);
        server = null;
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
