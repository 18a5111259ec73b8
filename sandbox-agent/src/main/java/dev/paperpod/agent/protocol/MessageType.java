package dev.paperpod.agent.protocol;

/** The type byte of every frame. Requests go to the agent; the rest come back. */
public final class MessageType {

    /**
     * The protocol's version, answered in {@link #PONG}: bumped when a message changes meaning (fields may be added
     * without a bump). The Go agent's {@code protocolVersion} is the same number.
     */
    public static final int PROTOCOL_VERSION = 1;

    /** Request: are you there? Answered by {@link #PONG}. */
    public static final byte PING = 1;

    /** Answer to {@link #PING}: {@link Tag#VERSION}, {@link Tag#PID}, {@link Tag#UPTIME_MS}. */
    public static final byte PONG = 2;

    /**
     * Request: run a process. Answered by {@link #STARTED}, any number of {@link #STDOUT} and {@link #STDERR}, then
     * one {@link #EXIT}; or by one {@link #ERROR}. Closing the connection before {@code EXIT} kills the process.
     */
    public static final byte EXEC = 10;

    /** The process runs: {@link Tag#PID}. */
    public static final byte STARTED = 11;

    /** A chunk of standard output; the payload is the raw bytes, not fields. */
    public static final byte STDOUT = 12;

    /** A chunk of standard error; the payload is the raw bytes, not fields. */
    public static final byte STDERR = 13;

    /**
     * The process ended: {@link Tag#VERDICT}, {@link Tag#EXIT_CODE} (absent when the agent killed it),
     * {@link Tag#TRUNCATED}, {@link Tag#WALL_MS}.
     */
    public static final byte EXIT = 14;

    /** The request failed: {@link Tag#ERROR_CODE}, {@link Tag#ERROR_MESSAGE}. The connection closes after it. */
    public static final byte ERROR = 15;

    /**
     * Request: make the sandbox fit for the same account's next job: kill every process a job left, wipe the reset
     * directories, check both. Answered by {@link #RESET_DONE}.
     */
    public static final byte RESET = 20;

    /**
     * Answer to {@link #RESET}: {@link Tag#KILLED}, {@link Tag#VERIFIED}, and when not verified
     * {@link Tag#ERROR_MESSAGE} saying what is left.
     */
    public static final byte RESET_DONE = 21;

    // Files. Paths are absolute, or relative to /workspace.

    /**
     * Request: write a file ({@link Tag#PATH}; {@link Tag#MODE}, {@link Tag#APPEND}), its content following in
     * {@link #DATA} frames and a {@link #DATA_END}. Parent directories are created. Without APPEND the file is
     * replaced atomically. Answered by {@link #OK} with {@link Tag#SIZE}.
     */
    public static final byte FILE_WRITE = 30;

    /** Request: read a file ({@link Tag#PATH}). Answered by {@link #FILE_INFO}, {@link #DATA} frames, {@link #DATA_END}. */
    public static final byte FILE_READ = 31;

    /**
     * Request: list a directory ({@link Tag#PATH}; {@link Tag#RECURSIVE}). Answered by one {@link #ENTRY} per
     * entry, then {@link #LIST_END}.
     */
    public static final byte FILE_LIST = 32;

    /** Request: make a directory ({@link Tag#PATH}; {@link Tag#PARENTS}). Answered by {@link #OK}. */
    public static final byte MKDIR = 33;

    /** Request: delete a file or directory ({@link Tag#PATH}; {@link Tag#RECURSIVE}). Answered by {@link #OK}. */
    public static final byte DELETE = 34;

    /** Request: move {@link Tag#PATH} to {@link Tag#TARGET} ({@link Tag#OVERWRITE}). Answered by {@link #OK}. */
    public static final byte MOVE = 35;

    // Background processes, by name.

    /**
     * Request: start a background process: {@link Tag#NAME} (unique among live ones) and the fields of
     * {@link #EXEC} but the limits. Answered by {@link #PROC_STARTED}. Its output is kept (the last MiB).
     */
    public static final byte PROC_START = 40;

    /** Request: every background process. Answered by one {@link #ENTRY} each, then {@link #LIST_END}. */
    public static final byte PROC_LIST = 41;

    /**
     * Request: a background process's output ({@link Tag#NAME}; {@link Tag#TAIL_BYTES}, {@link Tag#FOLLOW}).
     * Answered by {@link #STDOUT}/{@link #STDERR} frames, then, once it has exited (with FOLLOW) or at once
     * (without), {@link #PROC_EXITED} or {@link #LIST_END} while it still runs.
     */
    public static final byte PROC_LOGS = 42;

    /** Request: signal a background process's whole session ({@link Tag#NAME}; {@link Tag#SIGNAL} TERM or KILL). */
    public static final byte PROC_KILL = 43;

    // Answers shared by the requests above.

    /** A chunk of a file's content; raw bytes. */
    public static final byte DATA = 50;

    /** The end of a file's content. */
    public static final byte DATA_END = 51;

    /** One directory entry or process: {@link Tag#NAME}, {@link Tag#TYPE}, … */
    public static final byte ENTRY = 52;

    /** The end of a listing. */
    public static final byte LIST_END = 53;

    /** Done; fields depend on the request. */
    public static final byte OK = 54;

    /** A file read's header: {@link Tag#SIZE}, {@link Tag#MODE}, {@link Tag#MTIME_MS}. */
    public static final byte FILE_INFO = 55;

    /** A background process runs: {@link Tag#NAME}, {@link Tag#PID}. */
    public static final byte PROC_STARTED = 56;

    /** A background process has ended: {@link Tag#NAME}, {@link Tag#EXIT_CODE}. */
    public static final byte PROC_EXITED = 57;

    /**
     * Request: connect to {@link Tag#PORT} on the sandbox's loopback. Answered by {@link #OK}, after which the
     * connection carries that TCP connection's bytes both ways (no more frames), or by {@link #ERROR}
     * {@code CONNECT_REFUSED} when nothing accepts there.
     */
    public static final byte TUNNEL = 60;

    /** Request: what the sandbox uses now. Answered by {@link #STATS_DONE}. */
    public static final byte STATS = 22;

    /**
     * Answer to {@link #STATS}: {@link Tag#MEMORY_USED}, {@link Tag#DISK_USED} and {@link Tag#DISK_SIZE} (the working
     * directory's file system), {@link Tag#TMP_USED} and {@link Tag#TMP_SIZE}, each when the kernel tells.
     */
    public static final byte STATS_DONE = 23;

    private MessageType() {}
}
