package dev.paperpod.schemas.job;

import java.time.Instant;
import java.util.UUID;

/**
 * A file a job gave (a screenshot, a PDF, a trace), kept in the artifact store until {@code expiresAt}: results and
 * Kafka messages carry this reference, never the file.
 *
 * @param name the file's name within its job, e.g. {@code trace.zip}
 * @param contentType its media type
 * @param size its length in bytes
 * @param sha256 its SHA-256, in hex
 * @param expiresAt when the store deletes it
 * @param url where its job's account downloads it: {@code /v1/jobs/<jobId>/artifacts/<name>}
 */
public record ArtifactRef(String name, String contentType, long size, String sha256, Instant expiresAt, String url) {

    public static ArtifactRef of(
            UUID jobId, String name, String contentType, long size, String sha256, Instant expiresAt) {
        return new ArtifactRef(name, contentType, size, sha256, expiresAt, path(jobId, name));
    }

    /** Where the artifact {@code name} of job {@code jobId} is downloaded. */
    public static String path(UUID jobId, String name) {
        return "/v1/jobs/" + jobId + "/artifacts/" + name;
    }
}
