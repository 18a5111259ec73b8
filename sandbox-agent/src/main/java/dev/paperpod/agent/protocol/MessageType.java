package dev.paperpod.agent.protocol;

/** The type byte of every frame. Requests go to the agent; the rest come back. */
public final class MessageType {

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

    private MessageType() {}
}
