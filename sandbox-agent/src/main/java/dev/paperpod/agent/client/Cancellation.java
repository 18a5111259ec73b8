package dev.paperpod.agent.client;

import java.io.Closeable;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Lets another thread stop a running {@link AgentClient#exec}: canceling closes the call's connection, and the agent
 * kills the whole process group of a command whose client went away. The exec then throws {@link CanceledException}.
 * One cancellation serves one call; canceling before the call starts makes the call throw at once.
 */
public final class Cancellation {

    private @Nullable Closeable target;
    private boolean canceled;

    /** Stops the call. Idempotent; safe from any thread. */
    public void cancel() {
        Closeable toClose;
        synchronized (this) {
            if (canceled) {
                return;
            }
            canceled = true;
            toClose = target;
        }
        closeQuietly(toClose);
    }

    public synchronized boolean isCanceled() {
        return canceled;
    }

    /** Binds the connection of the call; closes it at once if the call was canceled already. */
    void attach(Closeable connection) {
        boolean already;
        synchronized (this) {
            target = connection;
            already = canceled;
        }
        if (already) {
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(@Nullable Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** The call was canceled; the command's processes were killed by the agent. */
    public static final class CanceledException extends IOException {
        public CanceledException() {
            super("canceled");
        }
    }
}
