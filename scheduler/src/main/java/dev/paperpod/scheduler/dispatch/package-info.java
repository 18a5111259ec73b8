/** The dispatcher: background jobs wait in PostgreSQL and go to Kafka in priority and fair-share order. */
@NullMarked
package dev.paperpod.scheduler.dispatch;

import org.jspecify.annotations.NullMarked;
