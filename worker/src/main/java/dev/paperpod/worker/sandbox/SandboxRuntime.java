package dev.paperpod.worker.sandbox;

/** Creates and removes sandbox containers. The pool decides when; the runtime knows how. */
public interface SandboxRuntime {

    /**
     * Creates and starts a sandbox whose agent will listen in its socket directory. Returns once the container
     * runs; the agent may still be starting.
     *
     * @throws SandboxException when the container cannot be created or started
     */
    Sandbox create();

    /**
     * Once the agent listens: makes the socket directory read-only to everything inside the sandbox, so no job can
     * replace its agent's socket or leave files there.
     */
    void seal(Sandbox sandbox);

    /** Removes the sandbox and everything in it, at once (no graceful stop). Never throws. */
    void destroy(Sandbox sandbox);

    /**
     * Removes sandboxes left behind by workers of this host that are gone (crashed, killed). Returns how many
     * were removed.
     */
    int reapLeftovers();
}
