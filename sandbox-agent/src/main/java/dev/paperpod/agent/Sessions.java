package dev.paperpod.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions the agent started for its runs: every process of a job belongs to one, unless it left it. */
final class Sessions {

    private final Set<Long> ids = ConcurrentHashMap.newKeySet();

    void started(long sessionId) {
        ids.add(sessionId);
    }

    boolean contains(long sessionId) {
        return ids.contains(sessionId);
    }

    void clear() {
        ids.clear();
    }

    /** The session id of a process, from {@code /proc/<pid>/stat}; empty when it is gone. */
    static OptionalLong sessionOf(long pid) {
        String[] fields = statFields(pid);
        return fields.length > 3 ? OptionalLong.of(Long.parseLong(fields[3])) : OptionalLong.empty();
    }

    /** Whether the process exists and is not a zombie waiting to be reaped. */
    static boolean running(long pid) {
        String[] fields = statFields(pid);
        return fields.length > 0 && !fields[0].equals("Z") && !fields[0].equals("X");
    }

    /** The fields of {@code /proc/<pid>/stat} after the command name: state, ppid, pgrp, session, … */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int end = stat.lastIndexOf(')');
            return end < 0 ? new String[0] : stat.substring(end + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return new String[0];
        }
    }
}
