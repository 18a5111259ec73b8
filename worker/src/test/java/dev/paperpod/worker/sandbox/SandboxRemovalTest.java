package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.RemoveContainerCmd;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a sandbox's container is removed when Podman answers with an error: Podman 4.3 may find the filesystem of a
 * container it has just killed still mounted, and succeed a moment later. (Podman itself, in the ITs.)
 */
class SandboxRemovalTest {

    private static final String BUSY = "Status 500: {\"cause\":\"device or resource busy\",\"message\":\"removing"
            + " container 2856df root filesystem: 1 error occurred\"}";

    @TempDir
    Path sockets;

    @Test
    void aContainerWhoseFilesystemIsStillBusyIsRemovedOnALaterTry() throws Exception {
        Removals removals =
                new Removals(new InternalServerErrorException(BUSY), new InternalServerErrorException(BUSY), null);

        Sandbox sandbox = destroy(removals);

        assertThat(removals.calls).hasValue(3);
        assertThat(sandbox.socketDir()).doesNotExist();
    }

    @Test
    void aContainerAlreadyGoneCountsAsRemoved() throws Exception {
        Removals removals = new Removals(new InternalServerErrorException(BUSY), new NotFoundException("no such"));

        destroy(removals);

        assertThat(removals.calls).hasValue(2);
    }

    @Test
    void otherErrorsAndAFilesystemBusyForLongAreNotRetriedForever() throws Exception {
        Removals other = new Removals(new InternalServerErrorException("Status 500: {\"cause\":\"something else\"}"));
        destroy(other);
        assertThat(other.calls).as("not a busy filesystem: no retry").hasValue(1);

        Removals busy = new Removals(
                new InternalServerErrorException(BUSY),
                new InternalServerErrorException(BUSY),
                new InternalServerErrorException(BUSY),
                new InternalServerErrorException(BUSY),
                null);
        Sandbox sandbox = destroy(busy);
        assertThat(busy.calls).as("four tries, then left to the reaper").hasValue(4);
        assertThat(sandbox.socketDir()).doesNotExist();
    }

    private Sandbox destroy(Removals removals) throws Exception {
        PodmanSandboxRuntime runtime = new PodmanSandboxRuntime(
                removals.docker(), SandboxSettings.aSandbox(sockets).build(), "none", "w-test", Clock.systemUTC());
        Path socketDir = Files.createDirectories(sockets.resolve("sbx-1"));
        Sandbox sandbox = new Sandbox("sbx-1", "2856df", socketDir, Instant.now());
        runtime.destroy(sandbox);
        return sandbox;
    }

    /** A Docker client whose container removals end as told, one outcome per call (null: removed). */
    private static final class Removals {
        final Deque<RuntimeException> outcomes = new ArrayDeque<>();
        final AtomicInteger calls = new AtomicInteger();
        private boolean removedAtLast;

        Removals(RuntimeException... outcomes) {
            for (RuntimeException outcome : outcomes) {
                if (outcome == null) {
                    removedAtLast = true;
                } else {
                    this.outcomes.add(outcome);
                }
            }
        }

        DockerClient docker() {
            RemoveContainerCmd remove =
                    proxy(RemoveContainerCmd.class, (self, method, args) -> switch (method.getName()) {
                        case "exec" -> {
                            calls.incrementAndGet();
                            RuntimeException next = outcomes.poll();
                            if (next != null) {
                                throw next;
                            }
                            if (!removedAtLast) {
                                throw new IllegalStateException("removal called more often than the test expects");
                            }
                            yield null;
                        }
                        case "close" -> null;
                        default -> self; // the withX builders
                    });
            return proxy(DockerClient.class, (self, method, args) -> {
                if (method.getName().equals("removeContainerCmd")) {
                    return remove;
                }
                throw new UnsupportedOperationException(
                        method.getName() + " " + List.of(args == null ? new Object[0] : args));
            });
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, java.lang.reflect.InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(SandboxRemovalTest.class.getClassLoader(), new Class<?>[] {type}, handler);
    }
}
