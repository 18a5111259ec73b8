/**
 * PostgreSQL state the api and the scheduler share: {@link dev.paperpod.store.JobStore} (jobs moved only through
 * {@link dev.paperpod.schemas.job.JobStateMachine}, saved with a version check) and {@link dev.paperpod.store.Outbox}.
 */
@NullMarked
package dev.paperpod.store;

import org.jspecify.annotations.NullMarked;
