package dev.paperpod.agent.protocol;

/** Field tags inside a frame's {@link Fields}. Unknown tags are skipped, so both sides can grow. */
public final class Tag {

    // EXEC request
    /** Strings: the program and its arguments. */
    public static final int ARGV = 1;
    /** Map: environment added to the agent's own. */
    public static final int ENV = 2;
    /** String: working directory, {@code /workspace} when absent. */
    public static final int CWD = 3;
    /** Bytes: fed to standard input, which is then closed. */
    public static final int STDIN = 4;
    /** Long: wall-clock limit in milliseconds; the process tree is killed past it. */
    public static final int TIMEOUT_MS = 5;
    /** Long: most bytes of stdout plus stderr to pass on; past it the process tree is killed. */
    public static final int OUTPUT_LIMIT = 6;
    /** Bytes: a script the agent writes to a fresh file whose path it appends to {@link #ARGV}. */
    public static final int SCRIPT = 7;
    /** String: the script file's name (its extension matters to some interpreters). */
    public static final int SCRIPT_NAME = 8;

    // answers
    public static final int PID = 20;
    public static final int EXIT_CODE = 21;
    /** String: {@code OK}, {@code TIMEOUT}, {@code OUTPUT_LIMIT}, {@code KILLED} or {@code ERROR}. */
    public static final int VERDICT = 22;

    public static final int TRUNCATED = 23;
    public static final int WALL_MS = 24;
    /** Long: CPU time the sandbox's cgroup used during the run, milliseconds. */
    public static final int CPU_MS = 25;
    /** Long: the sandbox cgroup's highest memory use sampled during the run, bytes. */
    public static final int PEAK_MEMORY = 26;

    public static final int ERROR_CODE = 30;
    public static final int ERROR_MESSAGE = 31;
    /** Long: processes a RESET killed. */
    public static final int KILLED = 32;
    /** Bool: a RESET found no process left and every reset directory empty. */
    public static final int VERIFIED = 33;

    public static final int VERSION = 40;

    // files and processes
    /** String: a file or directory; absolute, or relative to /workspace. */
    public static final int PATH = 50;
    /** String: where MOVE puts PATH. */
    public static final int TARGET = 51;
    /** Long: Unix permission bits, e.g. 0644. */
    public static final int MODE = 52;

    public static final int APPEND = 53;
    public static final int RECURSIVE = 54;
    /** Long: bytes. */
    public static final int SIZE = 55;
    /** Long: last modification, milliseconds since the epoch. */
    public static final int MTIME_MS = 56;
    /** String: {@code file}, {@code dir}, {@code link} or {@code other}; for processes, unused. */
    public static final int TYPE = 57;
    /** String: an entry's name (relative path when RECURSIVE), or a background process's name. */
    public static final int NAME = 58;

    public static final int OVERWRITE = 59;
    public static final int PARENTS = 60;
    /** String: {@code TERM} or {@code KILL}. */
    public static final int SIGNAL = 61;
    /** Bool: a background process still runs. */
    public static final int RUNNING = 62;
    /** Long: how much of a background process's kept output to send first (default: all of it). */
    public static final int TAIL_BYTES = 63;
    /** Bool: keep sending a background process's output as it comes, until it exits. */
    public static final int FOLLOW = 64;
    /** Long: when a background process started, milliseconds since the epoch. */
    public static final int STARTED_MS = 65;
    /** Long: output bytes of a background process dropped because only the last MiB is kept. */
    public static final int DROPPED = 66;
    /** Long: the TCP port inside the sandbox a tunnel connects to. */
    public static final int PORT = 67;
    /** Long: bytes of memory the sandbox's cgroup holds. */
    public static final int MEMORY_USED = 68;
    /** Long: bytes used on the working directory's file system. */
    public static final int DISK_USED = 69;
    /** Long: the size of the working directory's file system. */
    public static final int DISK_SIZE = 70;
    /** Long: bytes used on the temporary directory's file system. */
    public static final int TMP_USED = 71;
    /** Long: the size of the temporary directory's file system. */
    public static final int TMP_SIZE = 72;

    public static final int UPTIME_MS = 41;

    private Tag() {}
}
