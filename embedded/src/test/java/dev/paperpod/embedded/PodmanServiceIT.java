package dev.paperpod.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Podman service that answers {@code /_ping} but lists no containers is not reused, nor kept if it hangs later. */
class PodmanServiceIT {

    @TempDir
    Path home;

    private Process hung;

    @AfterEach
    void stopHung() {
        if (hung != null) {
            hung.destroyForcibly();
        }
    }

    @Test
    void aHungServicePaperPodStartedIsKilledAndReplacedByOneThatWorks() throws Exception {
        Path socket = home.resolve("podman/podman.sock");
        hung = startHung(socket);
        Files.writeString(PodmanService.pidFile(socket), hung.pid() + "\n");

        try (PodmanService service =
                PodmanService.ensureRunning(socket, PodmanService.DEFAULT_FLAGS, home.resolve("logs/podman.log"))) {
            assertThat(hung.isAlive()).isFalse();
            assertThat(PodmanService.status(socket, "/containers/json?all=true", Duration.ofSeconds(30)))
                    .isEqualTo(200);
            long pid = Long.parseLong(
                    Files.readString(PodmanService.pidFile(socket)).trim());
            assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()))
                    .hasValueSatisfying(line -> assertThat(line).contains("podman", "system service"));
        }
        assertThat(PodmanService.pidFile(socket)).doesNotExist();
    }

    @Test
    void aServiceThatHangsWhileInUseIsRestartedByItsCheck() throws Exception {
        Path socket = home.resolve("podman/podman.sock");
        try (PodmanService service =
                PodmanService.ensureRunning(socket, PodmanService.DEFAULT_FLAGS, home.resolve("logs/podman.log"))) {
            assertThat(service.check()).isTrue();
            long first = Long.parseLong(
                    Files.readString(PodmanService.pidFile(socket)).trim());
            // stopped, it accepts connections (the kernel does) and answers none: hung, as seen
            assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(first))
                            .start()
                            .waitFor())
                    .isZero();

            assertThat(service.check()).isTrue();

            long second = Long.parseLong(
                    Files.readString(PodmanService.pidFile(socket)).trim());
            assertThat(second).isNotEqualTo(first);
            assertThat(ProcessHandle.of(first).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(PodmanService.status(socket, "/containers/json?all=true", Duration.ofSeconds(30)))
                    .isEqualTo(200);
        }
        assertThat(PodmanService.pidFile(socket)).doesNotExist();
    }

    @Test
    void aHungServiceSomeoneElseStartedIsLeftAloneWithAnErrorThatSaysWhatToDo() throws Exception {
        Path socket = home.resolve("podman/podman.sock");
        hung = startHung(socket);

        assertThatThrownBy(() -> PodmanService.ensureRunning(
                        socket, PodmanService.DEFAULT_FLAGS, home.resolve("logs/podman.log")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is hung")
                .hasMessageContaining("PaperPod did not start it")
                .hasMessageContaining("pkill -KILL -f 'podman.*system service'");
        assertThat(hung.isAlive()).isTrue();
    }

    private static Process startHung(Path socket) throws Exception {
        Files.createDirectories(socket.getParent());
        Process process = new ProcessBuilder(List.of(
                        ChildProcesses.java(),
                        "-cp",
                        // Only its own classes: a long class path would hide the command line's end from
                        // ProcessHandle.Info, and with it the marker PodmanService looks for.
                        Path.of(HungPodmanService.class
                                        .getProtectionDomain()
                                        .getCodeSource()
                                        .getLocation()
                                        .toURI())
                                .toString(),
                        HungPodmanService.class.getName(),
                        "system",
                        "service",
                        socket.toString()))
                .inheritIO()
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!PodmanService.ping(socket)) {
            assertThat(process.isAlive()).as("the hung service runs").isTrue();
            assertThat(System.nanoTime()).as("the hung service answers /_ping").isLessThan(deadline);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        return process;
    }
}
