package dev.paperpod.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How the agent behaves where it runs.
 *
 * @param scratchDir where scripts sent with a request are written
 * @param defaultCwd working directory when a request names none
 * @param setsid whether {@code setsid} exists here, so a process tree can be killed as one group
 * @param leftoverGraceMs how long processes left behind by an exec's main process may keep its output open
 * @param resetDirs directories whose contents a RESET wipes
 * @param ownsProcessNamespace true inside a sandbox container, where every process but the agent and the init
 *     process belongs to a job, so a RESET kills them all; false elsewhere (tests on a host), where a RESET
 *     kills only the sessions the agent itself started
 */
record AgentSettings(
        Path scratchDir,
        Path defaultCwd,
        boolean setsid,
        long leftoverGraceMs,
        List<Path> resetDirs,
        boolean ownsProcessNamespace) {

    AgentSettings {
        resetDirs = List.copyOf(resetDirs);
    }

    static AgentSettings fromEnvironment(Map<String, String> env) {
        Path cwd = Path.of(env.getOrDefault("PAPERPOD_AGENT_CWD", "/workspace"));
        if (!Files.isDirectory(cwd)) {
            cwd = Path.of(System.getProperty("user.dir"));
        }
        Path scratch =
                Path.of(env.getOrDefault("PAPERPOD_AGENT_SCRATCH", System.getProperty("java.io.tmpdir") + "/paperpod"));
        List<Path> resetDirs = Arrays.stream(
                        env.getOrDefault("PAPERPOD_AGENT_RESET_DIRS", "").split(":"))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .toList();
        return new AgentSettings(
                scratch,
                cwd,
                Files.isExecutable(Path.of("/usr/bin/setsid")),
                200,
                resetDirs,
                "true".equals(env.get("PAPERPOD_AGENT_OWNS_PID_NAMESPACE")));
    }
}
