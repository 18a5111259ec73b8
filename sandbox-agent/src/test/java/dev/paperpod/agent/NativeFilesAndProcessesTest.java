package dev.paperpod.agent;

/** Every test of {@link FilesAndProcessesTest}, against the Go agent the sandboxes run. */
class NativeFilesAndProcessesTest extends FilesAndProcessesTest {

    @Override
    RunningAgent agent() {
        return RunningAgent.nativeAgent();
    }
}
