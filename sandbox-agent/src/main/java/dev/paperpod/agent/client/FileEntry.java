package dev.paperpod.agent.client;

/**
 * A directory entry, or the header of a file read.
 *
 * @param name relative to the listed directory (a path when recursive); empty for a file read
 * @param type {@code file}, {@code dir}, {@code link} or {@code other}
 * @param mode Unix permission bits
 * @param mtimeMs last modification, milliseconds since the epoch
 */
public record FileEntry(String name, String type, long size, long mode, long mtimeMs) {}
