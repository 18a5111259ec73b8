/**
 * The account's own sandbox (ADR 8): which one a request names, where it lives, and its endpoints — files,
 * processes, status and reset — beside {@code /execute} on it.
 */
@NullMarked
package dev.paperpod.api.sandbox;

import org.jspecify.annotations.NullMarked;
