package dev.paperpod.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Where ppod finds PaperPod and its token: {@code PAPERPOD_URL} and {@code PAPERPOD_TOKEN} when set, else what
 * {@code ppod login} stored in {@code ~/.config/paperpod/credentials} (mode 600, a token is a secret), else the
 * embedded default's URL.
 */
record Login(String url, @Nullable String token) {

    static final String DEFAULT_URL = "http://localhost:8080";

    static Path file(Map<String, String> env) {
        String config = env.get("XDG_CONFIG_HOME");
        Path base = config != null && !config.isEmpty()
                ? Path.of(config)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".config");
        return base.resolve("paperpod").resolve("credentials");
    }

    static Login read(Map<String, String> env) throws IOException {
        Properties stored = new Properties();
        Path file = file(env);
        if (Files.exists(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                stored.load(in);
            }
        }
        String url = first(env.get("PAPERPOD_URL"), stored.getProperty("url"), DEFAULT_URL);
        return new Login(
                url.endsWith("/") ? url.substring(0, url.length() - 1) : url,
                first(env.get("PAPERPOD_TOKEN"), stored.getProperty("token"), null));
    }

    /** Stores the token (and URL) readable by the user alone. */
    static Path store(Map<String, String> env, String url, String token) throws IOException {
        Path file = file(env);
        Files.createDirectories(file.getParent());
        Properties p = new Properties();
        p.setProperty("url", url);
        p.setProperty("token", token);
        Path tmp = file.resolveSibling("credentials.tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
            p.store(out, "ppod login");
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private static @Nullable String first(@Nullable String a, @Nullable String b, @Nullable String c) {
        if (a != null && !a.isEmpty()) {
            return a;
        }
        if (b != null && !b.isEmpty()) {
            return b;
        }
        return c;
    }
}
