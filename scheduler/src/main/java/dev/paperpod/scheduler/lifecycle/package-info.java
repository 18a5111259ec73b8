/** What happens to jobs between worker events: retries after infrastructure faults, and the deadline sweeper. */
@NullMarked
package dev.paperpod.scheduler.lifecycle;

import org.jspecify.annotations.NullMarked;
