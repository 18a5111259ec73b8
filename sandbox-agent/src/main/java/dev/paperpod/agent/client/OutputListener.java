package dev.paperpod.agent.client;

/** Receives a run's progress as it happens, on the thread that called {@link AgentClient#exec}. */
public interface OutputListener {

    default void started(long pid) {}

    /** A chunk of output; the array is reused after the call returns. */
    void output(boolean stderr, byte[] data, int offset, int length);
}
