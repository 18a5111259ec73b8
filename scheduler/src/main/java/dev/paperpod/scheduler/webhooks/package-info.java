/** Posting webhook deliveries: Standard Webhooks signatures, the retry schedule, the delivery log. */
@NullMarked
package dev.paperpod.scheduler.webhooks;

import org.jspecify.annotations.NullMarked;
