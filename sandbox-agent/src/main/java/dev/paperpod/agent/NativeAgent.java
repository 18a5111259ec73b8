package dev.paperpod.agent;

import java.net.URL;
import org.jspecify.annotations.Nullable;

/**
 * The agent that runs in sandboxes: the Go program of {@code src/main/go} (docs/adr/0005), which this module's build
 * puts beside these classes (the build needs Go: {@code golang-go}, which {@code ./paperpod} installs). The worker
 * talks to it through {@link dev.paperpod.agent.client.AgentClient}.
 */
public final class NativeAgent {

    /** The binary's name, beside this class on the class path. */
    public static final String RESOURCE = "paperpod-agent";

    private NativeAgent() {}

    /** The binary on the class path, or null when this class path holds no build of it. */
    public static @Nullable URL binary() {
        return NativeAgent.class.getResource(RESOURCE);
    }
}
