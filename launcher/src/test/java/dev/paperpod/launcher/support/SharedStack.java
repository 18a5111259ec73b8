package dev.paperpod.launcher.support;

import dev.paperpod.embedded.PodmanService;
import dev.paperpod.launcher.EmbeddedStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one embedded PaperPod for the whole test run (the expensive part: Kafka, PostgreSQL, Podman, the apps)
 * and hands it to every test class that asks for an {@link EmbeddedStack} or an {@link Api}. Closed when the run
 * ends. Tests keep their data apart by job ids, not by resetting the stack.
 */
public final class SharedStack implements ParameterResolver {

    private static final String TOKEN = "pp_test_" + Long.toHexString(System.nanoTime());

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedStack.class || type == Api.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        EmbeddedStack stack = stack(context);
        return parameter.getParameter().getType() == Api.class ? new Api(stack.baseUrl(), stack.devToken()) : stack;
    }

    static EmbeddedStack stack(ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Running.class, key -> new Running(), Running.class)
                .stack;
    }

    /** Closed by JUnit when the whole run ends. */
    private static final class Running implements ExtensionContext.Store.CloseableResource {
        final EmbeddedStack stack;

        Running() {
            Path home;
            try {
                home = Files.createTempDirectory(Path.of("target"), "paperpod-it-")
                        .toAbsolutePath();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            stack = new EmbeddedStack(new EmbeddedStack.Settings(
                            home,
                            0,
                            "127.0.0.1",
                            TOKEN,
                            PodmanService.defaultSocket(),
                            true,
                            Map.ofEntries(
                                    Map.entry("paperpod.worker.sandbox.image", "localhost/paperpod/test"),
                                    Map.entry("paperpod.worker.sandbox.min-idle", "2"),
                                    Map.entry("paperpod.worker.sandbox.max", "4"),
                                    // every test class names sandboxes of its own, and they live for the whole run
                                    Map.entry("paperpod.worker.account-sandbox.max", "64"),
                                    Map.entry("paperpod.api.heartbeat-staleness", "6s"),
                                    Map.entry("paperpod.scheduler.lifecycle.retry-backoff", "300ms"),
                                    // The test receivers listen on loopback; the schedule is the spec's, shortened.
                                    Map.entry("paperpod.webhooks.allowed-targets", "127.0.0.1"),
                                    Map.entry(
                                            "paperpod.scheduler.webhooks.retry-schedule",
                                            "0s,300ms,300ms,300ms,300ms,300ms,300ms,300ms"),
                                    Map.entry("paperpod.scheduler.webhooks.timeout", "1s"),
                                    // BrowserIT serves its pages on this machine, which browsers reach by the
                                    // gateway of their network; every other private address stays refused.
                                    Map.entry("paperpod.worker.browser.egress-allow", "10.88.0.1/32"),
                                    // Unix socket paths are short (107 bytes); a checkout may be deep.
                                    Map.entry(
                                            "paperpod.worker.sandbox.socket-root",
                                            shortTempDir().toString()))))
                    .start();
        }

        private static Path shortTempDir() {
            try {
                return Files.createTempDirectory("pp-it-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            stack.close();
        }
    }
}
