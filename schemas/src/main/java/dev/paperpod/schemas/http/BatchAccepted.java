package dev.paperpod.schemas.http;

import java.time.Instant;
import java.util.UUID;

/** Body of the {@code 202 Accepted} answer to {@code POST /v1/batches}: every job of it is durable from here on. */
public record BatchAccepted(UUID id, int total, Instant createdAt, String url, String jobsUrl) {}
