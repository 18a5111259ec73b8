/**
 * The sandbox agent: a small program inside every sandbox container that runs processes for the worker. It
 * listens on a Unix socket in a host directory bind-mounted into the container, so the worker reaches it in
 * about a millisecond instead of the 100-200 ms a {@code podman exec} costs. See {@code docs/agent-protocol.md}.
 *
 * <p>The sandboxes run the Go agent of {@code src/main/go} ({@link dev.paperpod.agent.NativeAgent}); the Java agent
 * here ({@link dev.paperpod.agent.SandboxAgent}) speaks the same protocol, is the reference the protocol tests run
 * against, and is the fallback of a build without Go.
 */
@NullMarked
package dev.paperpod.agent;

import org.jspecify.annotations.NullMarked;
