package dev.paperpod.agent;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deleting file trees without following links out of them (a job may plant a link to anywhere). */
final class Trees {

    private Trees() {}

    /** Deletes {@code path} and everything below it; a link is deleted, never followed. */
    static void delete(Path path) throws IOException {
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** {@link #delete}, for scratch space whose leftovers harm nobody. */
    static void deleteQuietly(Path path) {
        try {
            delete(path);
        } catch (IOException e) {
            // scratch space in a sandbox; nothing to lose
        }
    }
}
