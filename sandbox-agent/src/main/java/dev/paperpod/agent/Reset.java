package dev.paperpod.agent;

import dev.paperpod.agent.protocol.Fields;
import dev.paperpod.agent.protocol.Tag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Makes a used sandbox fit for the account's next job: kills every process a job left (inside a container, every
 * process but the agent and init; elsewhere, those of the sessions the agent started), wipes the reset
 * directories, then checks that both worked. The answer says whether the check passed; a sandbox that fails it
 * must be destroyed, not reused.
 */
final class Reset {

    private static final long KILL_DEADLINE_MS = 3_000;

    private final AgentSettings settings;
    private final Sessions sessions;

    Reset(AgentSettings settings, Sessions sessions) {
        this.settings = settings;
        this.sessions = sessions;
    }

    Fields.Writer run() {
        int killed = killLeftovers();
        List<String> problems = new ArrayList<>();
        for (Path dir : settings.resetDirs()) {
            wipe(dir, problems);
        }
        List<ProcessHandle> survivors = leftovers();
        if (!survivors.isEmpty()) {
            problems.add(survivors.size() + " process(es) survived: "
                    + survivors.stream()
                            .map(p -> p.pid() + " " + p.info().command().orElse("?"))
                            .toList());
        }
        for (Path dir : settings.resetDirs()) {
            if (!isEmpty(dir)) {
                problems.add(dir + " is not empty");
            }
        }
        sessions.clear();
        Fields.Writer answer = Fields.writer().putLong(Tag.KILLED, killed).putBool(Tag.VERIFIED, problems.isEmpty());
        if (!problems.isEmpty()) {
            answer.putString(Tag.ERROR_MESSAGE, String.join("; ", problems));
        }
        return answer;
    }

    /** Kills leftovers until none is left (a fork bomb keeps making more) or the deadline passes. */
    private int killLeftovers() {
        return Killer.killAll(this::leftover, KILL_DEADLINE_MS);
    }

    private List<ProcessHandle> leftovers() {
        return Killer.running(this::leftover);
    }

    private boolean leftover(long pid) {
        return settings.ownsProcessNamespace()
                || Sessions.sessionOf(pid).stream().anyMatch(sessions::contains);
    }

    /** Deletes what is inside {@code dir}, never following links out of it. */
    private static void wipe(Path dir, List<String> problems) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                Trees.delete(child);
            }
        } catch (IOException e) {
            problems.add("cannot wipe " + dir + ": " + e);
        }
    }

    private static boolean isEmpty(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
