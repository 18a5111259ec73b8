package dev.paperpod.agent;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

/**
 * Kills sets of processes with signals only, never by starting a program: under a fork bomb the pids limit leaves
 * no room for a {@code kill} command. Kills again and again, since a process may fork while its siblings die.
 */
final class Killer {

    private static final long SELF = ProcessHandle.current().pid();

    private Killer() {}

    /**
     * SIGKILLs every running process (never the agent nor init) that {@code belongs}, until none is left or
     * {@code deadlineMs} passes.
     *
     * @return how many kills were sent
     */
    static int killAll(LongPredicate belongs, long deadlineMs) {
        int killed = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        List<ProcessHandle> victims;
        while (!(victims = running(belongs)).isEmpty() && System.nanoTime() < deadline) {
            for (ProcessHandle p : victims) {
                if (p.destroyForcibly()) {
                    killed++;
                }
            }
            // Not onExit(): it needs a new thread, which the pids limit may not allow. A killed process becomes a
            // zombie until init reaps it, and running() no longer counts it.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return killed;
    }

    /** Running processes (zombies excluded) other than the agent and init for which {@code belongs} holds. */
    static List<ProcessHandle> running(LongPredicate belongs) {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.pid() != SELF && p.pid() != 1)
                    .filter(p -> belongs.test(p.pid()))
                    .filter(p -> Sessions.running(p.pid()))
                    .toList();
        }
    }

    /** Whether a process is in the session {@code sessionId}. */
    static LongPredicate inSession(long sessionId) {
        return pid -> Sessions.sessionOf(pid).orElse(-1) == sessionId;
    }
}
