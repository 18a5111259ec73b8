/**
 * The accounts' own sandboxes this worker hosts, as their commands reach it: files, processes, status and reset on its
 * own topic, beside the exec jobs that run in them (ADR 8).
 */
@NullMarked
package dev.paperpod.worker.account;

import org.jspecify.annotations.NullMarked;
