package dev.paperpod.agent;

import java.net.URL;
import org.jspecify.annotations.Nullable;

/**
 * The agent that runs in sandboxes: the Go program of {@code src/main/go} (docs/adr/0005), which this module's
 * build puts beside these classes wherever a Go toolchain is installed. It speaks the same protocol as
 * {@link SandboxAgent}, which stays as the reference the protocol tests run against and as the fallback of a
 * build without Go.
 */
public final class NativeAgent {

    /** The binary's name, beside this class on the class path. */
    public static final String RESOURCE = "paperpod-agent";

    private NativeAgent() {}

    /** The binary on the class path, or null when this build had no Go toolchain to make it. */
    public static @Nullable URL binary() {
        return NativeAgent.class.getResource(RESOURCE);
    }
}
