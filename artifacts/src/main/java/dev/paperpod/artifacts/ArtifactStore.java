package dev.paperpod.artifacts;

import dev.paperpod.schemas.job.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where the files jobs give are kept: the worker that made a file puts it under its job, the api serves it to the
 * job's account, and it is deleted once its time to live has passed. A later attempt of a job replaces what an
 * earlier one put under the same name.
 */
public interface ArtifactStore {

    /** What an artifact's name may be: a plain file name, no path. */
    Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /**
     * Keeps {@code file} (moved, not copied, when it can be) as job {@code jobId}'s artifact {@code name}, the
     * property of the job's account {@code accountId}.
     *
     * @throws IllegalArgumentException when {@code name} is not a plain file name ({@link #NAME})
     */
    ArtifactRef put(UUID jobId, UUID accountId, String name, String contentType, Path file, Instant expiresAt)
            throws IOException;

    /** Keeps {@code content} as job {@code jobId}'s artifact {@code name}, the property of {@code accountId}. */
    ArtifactRef put(UUID jobId, UUID accountId, String name, String contentType, byte[] content, Instant expiresAt)
            throws IOException;

    /** The artifact as kept, or empty when there is none by that name (never put, or deleted). */
    Optional<Stored> find(UUID jobId, String name) throws IOException;

    /** The job's artifacts as kept, by name. */
    List<Stored> list(UUID jobId) throws IOException;

    /** Deletes every artifact whose expiry is before {@code now}; returns how many. */
    int deleteExpired(Instant now) throws IOException;

    /** An artifact the store holds: its reference, and its bytes to read. */
    interface Stored {
        ArtifactRef ref();

        /** The account of the job that made it: the only one it is served to. */
        UUID accountId();

        /** Its bytes from {@code offset} on. */
        InputStream open(long offset) throws IOException;
    }

    static void requireName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not an artifact name: " + name);
        }
    }
}
