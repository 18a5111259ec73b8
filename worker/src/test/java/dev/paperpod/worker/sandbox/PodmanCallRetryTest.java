package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PodmanCallRetryTest {

    @Test
    void aCallCutAtTheTransportIsMadeOnceMoreAfterUndoingWhatItMayHaveDone() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger undone = new AtomicInteger();

        String answer = PodmanSandboxRuntime.onceMoreIfCut(
                () -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new RuntimeException(new SocketException("No such file or directory"));
                    }
                    return "created";
                },
                undone::incrementAndGet);

        assertThat(answer).isEqualTo("created");
        assertThat(calls).hasValue(2);
        assertThat(undone).hasValue(1);
    }

    @Test
    void anAnswerThatRefusesIsNotRetriedNorASecondCut() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> PodmanSandboxRuntime.onceMoreIfCut(
                        () -> {
                            calls.incrementAndGet();
                            throw new IllegalStateException("no such image");
                        },
                        () -> {}))
                .hasMessage("no such image");
        assertThat(calls).hasValue(1);

        assertThatThrownBy(() -> PodmanSandboxRuntime.onceMoreIfCut(
                        () -> {
                            throw new UncheckedIOException(new SocketException("still away"));
                        },
                        () -> {}))
                .hasRootCauseMessage("still away");
    }
}
