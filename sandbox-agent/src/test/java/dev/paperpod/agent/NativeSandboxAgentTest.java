package dev.paperpod.agent;

/** Every test of {@link SandboxAgentTest}, against the Go agent the sandboxes run. */
class NativeSandboxAgentTest extends SandboxAgentTest {

    @Override
    RunningAgent agent() {
        return RunningAgent.nativeAgent();
    }
}
