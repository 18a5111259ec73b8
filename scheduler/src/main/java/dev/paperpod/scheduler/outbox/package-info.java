@NullMarked
package dev.paperpod.scheduler.outbox;

import org.jspecify.annotations.NullMarked;
