package dev.paperpod.artifacts;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifacts as files under one directory, for one machine (the embedded default) or a directory every api and worker
 * mounts: {@code <root>/<jobId>/<name>}, beside it {@code .<name>.json} with its reference. Files are written under a
 * temporary name and moved into place, so a reader never sees half of one and a later attempt replaces an earlier
 * one whole.
 */
public final class FileArtifactStore implements ArtifactStore {

    private static final Logger log = LoggerFactory.getLogger(FileArtifactStore.class);
    private static final String TEMPORARY = ".tmp-";
    /** Temporary files older than this were left by a process that died while writing. */
    private static final Duration ABANDONED = Duration.ofHours(1);

    private final Path root;

    public FileArtifactStore(Path root) {
        this.root = root;
    }

    @Override
    public ArtifactRef put(UUID jobId, UUID accountId, String name, String contentType, Path file, Instant expiresAt)
            throws IOException {
        Path temporary = temporary(jobId, name);
        try {
            Files.move(file, temporary, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.copy(file, temporary); // another file system: copy, and leave the original to its owner
        }
        String sha256;
        try (InputStream in = Files.newInputStream(temporary)) {
            sha256 = sha256(in);
        }
        return keep(jobId, accountId, name, contentType, temporary, sha256, expiresAt);
    }

    @Override
    public ArtifactRef put(
            UUID jobId, UUID accountId, String name, String contentType, byte[] content, Instant expiresAt)
            throws IOException {
        Path temporary = temporary(jobId, name);
        Files.write(temporary, content);
        return keep(
                jobId,
                accountId,
                name,
                contentType,
                temporary,
                HexFormat.of().formatHex(digest().digest(content)),
                expiresAt);
    }

    /** A name in the job's directory to write {@code name} under before it is moved into place. */
    private Path temporary(UUID jobId, String name) throws IOException {
        ArtifactStore.requireName(name);
        return Files.createDirectories(root.resolve(jobId.toString())).resolve(TEMPORARY + UUID.randomUUID());
    }

    /** What {@code .<name>.json} holds: the artifact's reference and whose it is. */
    private record Meta(ArtifactRef ref, UUID accountId) {}

    private ArtifactRef keep(
            UUID jobId,
            UUID accountId,
            String name,
            String contentType,
            Path temporary,
            String sha256,
            Instant expiresAt)
            throws IOException {
        Path dir = temporary.getParent();
        ArtifactRef ref = ArtifactRef.of(jobId, name, contentType, Files.size(temporary), sha256, expiresAt);
        Path metaTemporary = dir.resolve(TEMPORARY + UUID.randomUUID());
        Files.write(metaTemporary, Wire.mapper().writeValueAsBytes(new Meta(ref, accountId)));
        // the file first, then its reference: a reader that finds the reference finds the file it describes
        Files.move(temporary, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(metaTemporary, meta(dir, name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return ref;
    }

    @Override
    public Optional<Stored> find(UUID jobId, String name) throws IOException {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        Path dir = root.resolve(jobId.toString());
        Meta meta = read(meta(dir, name));
        return meta == null ? Optional.empty() : Optional.of(stored(dir, meta));
    }

    @Override
    public List<Stored> list(UUID jobId) throws IOException {
        Path dir = root.resolve(jobId.toString());
        List<Stored> kept = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return kept;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*.json")) {
            for (Path file : files) {
                Meta meta = read(file);
                if (meta != null) {
                    kept.add(stored(dir, meta));
                }
            }
        }
        kept.sort(Comparator.comparing(k -> k.ref().name()));
        return kept;
    }

    private static Stored stored(Path dir, Meta meta) {
        Path file = dir.resolve(meta.ref().name());
        return new Stored() {
            @Override
            public ArtifactRef ref() {
                return meta.ref();
            }

            @Override
            public UUID accountId() {
                return meta.accountId();
            }

            @Override
            public InputStream open(long offset) throws IOException {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                channel.position(offset);
                return Channels.newInputStream(channel);
            }
        };
    }

    @Override
    public int deleteExpired(Instant now) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int deleted = 0;
        try (DirectoryStream<Path> jobs = Files.newDirectoryStream(root)) {
            for (Path dir : jobs) {
                if (Files.isDirectory(dir)) {
                    deleted += deleteExpired(dir, now);
                }
            }
        }
        return deleted;
    }

    private int deleteExpired(Path dir, Instant now) throws IOException {
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(TEMPORARY)) {
                    if (Files.getLastModifiedTime(file).toInstant().isBefore(now.minus(ABANDONED))) {
                        Files.deleteIfExists(file);
                    }
                    continue;
                }
                Meta meta = name.startsWith(".") && name.endsWith(".json") ? read(file) : null;
                if (meta != null && !meta.ref().expiresAt().isAfter(now)) {
                    Files.deleteIfExists(file); // the reference first: nothing is served without its file
                    Files.deleteIfExists(dir.resolve(meta.ref().name()));
                    deleted++;
                }
            }
        }
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            // artifacts that have not expired, or one an attempt put meanwhile
        }
        return deleted;
    }

    private static Path meta(Path dir, String name) {
        return dir.resolve("." + name + ".json");
    }

    private static @Nullable Meta read(Path meta) throws IOException {
        try {
            return Wire.mapper().readValue(Files.readAllBytes(meta), Meta.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (RuntimeException e) {
            log.warn("Unreadable artifact reference {}: {}", meta, e.toString());
            return null;
        }
    }

    private static String sha256(InputStream in) throws IOException {
        MessageDigest digest = digest();
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
