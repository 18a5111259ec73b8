package dev.paperpod.api.sandbox;

import dev.paperpod.api.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;

/**
 * Which sandbox a request means: the {@code X-PaperPod-Sandbox} header, {@code default} when absent. A header rather
 * than a body field, because {@code GET /status} has no body. {@code ephemeral} asks {@code /execute} for a fresh pool
 * sandbox that keeps nothing.
 */
public final class SandboxNames {

    public static final String HEADER = "X-PaperPod-Sandbox";
    public static final String DEFAULT = "default";
    public static final String EPHEMERAL = "ephemeral";

    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,32}");

    private SandboxNames() {}

    /** The sandbox the request names, {@link #EPHEMERAL} included. */
    public static String of(HttpServletRequest request) {
        String name = request.getHeader(HEADER);
        if (name == null || name.isEmpty()) {
            return DEFAULT;
        }
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "INVALID_HEADER",
                    HEADER + " '" + name + "' is not a sandbox name",
                    "names are 1 to 32 of a-z, 0-9 and '-'; leave the header out for your default sandbox",
                    HEADER);
        }
        return name;
    }

    /** The sandbox the request names, which must be one that keeps its files and processes. */
    public static String kept(HttpServletRequest request) {
        String name = of(request);
        if (name.equals(EPHEMERAL)) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "INVALID_HEADER",
                    "an ephemeral sandbox keeps nothing between calls, so it has no files, processes or status",
                    "leave " + HEADER + " out for your default sandbox, or name one, e.g. " + HEADER + ": web",
                    HEADER);
        }
        return name;
    }
}
