/** Kafka set-up shared by the api, the worker and the scheduler. */
@NullMarked
package dev.paperpod.messaging;

import org.jspecify.annotations.NullMarked;
