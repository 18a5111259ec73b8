/**
 * The sandbox agent: a small program inside every sandbox container that runs processes for the worker. It
 * listens on a Unix socket in a host directory bind-mounted into the container, so the worker reaches it in
 * about a millisecond instead of the 100-200 ms a {@code podman exec} costs. See {@code docs/agent-protocol.md}.
 *
 * <p>The agent is the Go program of {@code src/main/go} ({@link dev.paperpod.agent.NativeAgent}); this module's Java
 * holds its wire protocol ({@code protocol}) and the worker's client ({@code client}).
 */
@NullMarked
package dev.paperpod.agent;

import org.jspecify.annotations.NullMarked;
