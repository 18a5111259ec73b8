package dev.paperpod.agent;

import dev.paperpod.agent.protocol.Fields;
import dev.paperpod.agent.protocol.Frame;
import dev.paperpod.agent.protocol.FrameIO;
import dev.paperpod.agent.protocol.FrameWriter;
import dev.paperpod.agent.protocol.MessageType;
import dev.paperpod.agent.protocol.ProtocolException;
import dev.paperpod.agent.protocol.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * File requests: write (streamed in), read (streamed out), list, mkdir, delete, move. Content is never held whole
 * in memory. Failures answer {@link MessageType#ERROR} with a code a caller can act on: {@code NOT_FOUND},
 * {@code NOT_A_DIRECTORY}, {@code IS_A_DIRECTORY}, {@code EXISTS}, {@code NOT_EMPTY}, {@code DENIED},
 * {@code IO_ERROR}.
 */
final class FileOps {

    private static final int CHUNK = 64 * 1024;

    private final SocketChannel client;
    private final FrameWriter out;
    private final AgentSettings settings;

    FileOps(SocketChannel client, FrameWriter out, AgentSettings settings) {
        this.client = client;
        this.out = out;
        this.settings = settings;
    }

    void handle(Frame request) throws IOException {
        Fields f = request.fields();
        try {
            switch (request.type()) {
                case MessageType.FILE_WRITE -> write(f);
                case MessageType.FILE_READ -> read(f);
                case MessageType.FILE_LIST -> list(f);
                case MessageType.MKDIR -> mkdir(f);
                case MessageType.DELETE -> delete(f);
                case MessageType.MOVE -> move(f);
                default -> throw new ProtocolException("not a file request: " + request.type());
            }
        } catch (NoSuchFileException e) {
            SandboxAgent.error(out, "NOT_FOUND", "no such file or directory: " + e.getFile());
        } catch (NotDirectoryException e) {
            SandboxAgent.error(out, "NOT_A_DIRECTORY", "not a directory: " + e.getFile());
        } catch (FileAlreadyExistsException e) {
            SandboxAgent.error(out, "EXISTS", "already exists: " + e.getFile());
        } catch (DirectoryNotEmptyException e) {
            SandboxAgent.error(out, "NOT_EMPTY", "directory not empty: " + e.getFile());
        } catch (AccessDeniedException e) {
            SandboxAgent.error(out, "DENIED", "permission denied: " + e.getFile());
        } catch (IsADirectory e) {
            SandboxAgent.error(out, "IS_A_DIRECTORY", "is a directory: " + e.getMessage());
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            SandboxAgent.error(out, "IO_ERROR", e.toString());
        }
    }

    private Path path(Fields f, int tag) throws ProtocolException {
        String value = f.getString(tag);
        if (value == null || value.isEmpty()) {
            throw new ProtocolException("a path is required (tag " + tag + ")");
        }
        return settings.defaultCwd().resolve(value).normalize();
    }

    /** Streams the content in to a temporary file beside the target, then moves it into place. */
    private void write(Fields f) throws IOException {
        Path target = path(f, Tag.PATH);
        boolean append = f.getBool(Tag.APPEND, false);
        if (Files.isDirectory(target)) {
            drainData();
            throw new IsADirectory(target);
        }
        Files.createDirectories(target.getParent());
        Set<PosixFilePermission> keep =
                Files.exists(target) ? Files.getPosixFilePermissions(target) : permissions(0644);
        Path temp = append ? target : Files.createTempFile(target.getParent(), ".paperpod-", ".part");
        try (OutputStream file = append
                ? Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                : Files.newOutputStream(temp, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (true) {
                Frame frame = FrameIO.read(client);
                if (frame == null) {
                    throw new ProtocolException("connection closed before DATA_END");
                }
                if (frame.type() == MessageType.DATA_END) {
                    break;
                }
                if (frame.type() != MessageType.DATA) {
                    throw new ProtocolException("expected DATA or DATA_END, got " + frame.type());
                }
                file.write(frame.payload());
            }
        } catch (IOException | RuntimeException e) {
            if (!append) {
                Files.deleteIfExists(temp);
            }
            throw e;
        }
        if (!append) {
            Files.setPosixFilePermissions(temp, keep);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        if (f.has(Tag.MODE)) {
            Files.setPosixFilePermissions(target, permissions(f.getLong(Tag.MODE, 0644)));
        }
        out.write(MessageType.OK, Fields.writer().putLong(Tag.SIZE, Files.size(target)));
    }

    /** A write that fails early still has to consume the content the client keeps sending. */
    private void drainData() throws IOException {
        Frame frame;
        while ((frame = FrameIO.read(client)) != null && frame.type() == MessageType.DATA) {
            // discard
        }
    }

    private void read(Fields f) throws IOException {
        Path file = path(f, Tag.PATH);
        PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class);
        if (attrs.isDirectory()) {
            throw new IsADirectory(file);
        }
        out.write(
                MessageType.FILE_INFO,
                Fields.writer()
                        .putLong(Tag.SIZE, attrs.size())
                        .putLong(Tag.MODE, mode(attrs.permissions()))
                        .putLong(Tag.MTIME_MS, attrs.lastModifiedTime().toMillis()));
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(MessageType.DATA, buffer, 0, n);
            }
        }
        out.write(MessageType.DATA_END, new byte[0]);
    }

    private void list(Fields f) throws IOException {
        Path dir = path(f, Tag.PATH);
        if (!Files.isDirectory(dir)) {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(dir.toString());
            }
            throw new NotDirectoryException(dir.toString());
        }
        boolean recursive = f.getBool(Tag.RECURSIVE, false);
        try (Stream<Path> entries = recursive ? Files.walk(dir).skip(1) : Files.list(dir)) {
            for (Path p : (Iterable<Path>) entries.sorted()::iterator) {
                entry(dir, p);
            }
        }
        out.write(MessageType.LIST_END, new byte[0]);
    }

    private void entry(Path dir, Path p) throws IOException {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return; // gone while listing
        }
        String type = attrs.isSymbolicLink()
                ? "link"
                : attrs.isDirectory() ? "dir" : attrs.isRegularFile() ? "file" : "other";
        out.write(
                MessageType.ENTRY,
                Fields.writer()
                        .putString(Tag.NAME, dir.relativize(p).toString())
                        .putString(Tag.TYPE, type)
                        .putLong(Tag.SIZE, attrs.size())
                        .putLong(Tag.MODE, mode(attrs.permissions()))
                        .putLong(Tag.MTIME_MS, attrs.lastModifiedTime().toMillis()));
    }

    private void mkdir(Fields f) throws IOException {
        Path dir = path(f, Tag.PATH);
        if (f.getBool(Tag.PARENTS, true)) {
            Files.createDirectories(dir);
        } else {
            Files.createDirectory(dir);
        }
        out.write(MessageType.OK, Fields.writer());
    }

    private void delete(Fields f) throws IOException {
        Path target = path(f, Tag.PATH);
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(target.toString());
        }
        if (f.getBool(Tag.RECURSIVE, false) && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            Trees.delete(target);
        } else {
            Files.delete(target);
        }
        out.write(MessageType.OK, Fields.writer());
    }

    private void move(Fields f) throws IOException {
        Path from = path(f, Tag.PATH);
        Path to = path(f, Tag.TARGET);
        if (to.getParent() != null) {
            Files.createDirectories(to.getParent());
        }
        if (f.getBool(Tag.OVERWRITE, false)) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.move(from, to);
        }
        out.write(MessageType.OK, Fields.writer());
    }

    static long mode(Set<PosixFilePermission> permissions) {
        long mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= 1L << (8 - p.ordinal());
        }
        return mode;
    }

    static Set<PosixFilePermission> permissions(long mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1L << (8 - p.ordinal()))) != 0) {
                set.add(p);
            }
        }
        return set;
    }

    private static final class IsADirectory extends IOException {
        IsADirectory(Path path) {
            super(path.toString());
        }
    }
}
