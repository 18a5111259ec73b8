/** The agent's wire protocol, shared by the agent and the worker. See {@code docs/agent-protocol.md}. */
@NullMarked
package dev.paperpod.agent.protocol;

import org.jspecify.annotations.NullMarked;
