package dev.paperpod.worker.sandbox;

import dev.paperpod.worker.WorkerProperties;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.util.unit.DataSize;

/** Sandbox settings for tests: small and quick, overridable one by one. */
public final class SandboxSettings {

    private String image = "localhost/paperpod/test";
    private int minIdle;
    private int max = 2;
    private long pids = 256;
    private int reusePerAccount = 2;
    private final Path sockets;

    private SandboxSettings(Path sockets) {
        this.sockets = sockets;
    }

    public static SandboxSettings aSandbox(Path sockets) {
        return new SandboxSettings(sockets);
    }

    public SandboxSettings image(String value) {
        image = value;
        return this;
    }

    public SandboxSettings minIdle(int value) {
        minIdle = value;
        return this;
    }

    public SandboxSettings max(int value) {
        max = value;
        return this;
    }

    public SandboxSettings pids(long value) {
        pids = value;
        return this;
    }

    public SandboxSettings reusePerAccount(int value) {
        reusePerAccount = value;
        return this;
    }

    public WorkerProperties.Sandbox build() {
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
