/** The worker's side of the agent protocol. */
@NullMarked
package dev.paperpod.agent.client;

import org.jspecify.annotations.NullMarked;
