/** {@code /v1/webhook-endpoints}: where an account's events are posted, signed per Standard Webhooks. */
@NullMarked
package dev.paperpod.api.webhooks;

import org.jspecify.annotations.NullMarked;
