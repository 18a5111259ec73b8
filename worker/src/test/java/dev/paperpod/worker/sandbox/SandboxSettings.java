package dev.paperpod.worker.sandbox;

import dev.paperpod.worker.WorkerProperties;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/** Sandbox settings for tests: small and quick, overridable one by one. */
final class SandboxSettings {

    private String image = "localhost/paperpod/test";
    private int minIdle;
    private int max = 2;
    private long pids = 256;
    private int reusePerAccount = 2;
    private final Path sockets;

    private SandboxSettings(Path sockets) {
        this.sockets = sockets;
    }

    static SandboxSettings aSandbox(Path sockets) {
        return new SandboxSettings(sockets);
    }

    SandboxSettings image(String value) {
        image = value;
        return this;
    }

    SandboxSettings minIdle(int value) {
        minIdle = value;
        return this;
    }

    SandboxSettings max(int value) {
        max = value;
        return this;
    }

    SandboxSettings pids(long value) {
        pids = value;
        return this;
    }

    SandboxSettings reusePerAccount(int value) {
        reusePerAccount = value;
        return this;
    }

    WorkerProperties.Sandbox build() {
        return new WorkerProperties.Sandbox(
                image,
                minIdle,
                max,
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                sockets,
                null,
                DataSize.ofMegabytes(256),
                1.0,
                pids,
                "auto",
                "bridge",
                0,
                1,
                DataSize.ofMegabytes(64),
                DataSize.ofMegabytes(64),
                DataSize.ofMegabytes(1),
                reusePerAccount,
                Duration.ofMinutes(2));
    }
}
