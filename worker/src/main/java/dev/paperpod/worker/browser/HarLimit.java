package dev.paperpod.worker.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds a HAR to its most: a page's bodies (images, scripts, video) are most of a HAR's weight, so one over it is
 * kept without the responses' {@code content.text} (every request, header and timing stays, and each response's
 * {@code content.size}); one over it even so is not kept. Either is said in the job's console log. Read and written
 * as a stream: a HAR of hundreds of megabytes is never in memory.
 */
final class HarLimit {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HarLimit() {}

    /**
     * @param said where to say what was left out
     * @return the HAR as kept, or null when it is not kept
     */
    static @Nullable Path hold(Path har, long maxBytes, Consumer<String> said) throws IOException {
        if (!Files.exists(har)) {
            return null;
        }
        long size = Files.size(har);
        if (size <= maxBytes) {
            return har;
        }
        Path lean = har.resolveSibling(har.getFileName() + ".lean");
        withoutBodies(har, lean);
        long leanSize = Files.size(lean);
        if (leanSize <= maxBytes) {
            Files.move(lean, har, StandardCopyOption.REPLACE_EXISTING);
            said.accept("paperpod network.har is kept without response bodies: " + size + " bytes with them, over "
                    + maxBytes + " (paperpod.worker.browser.max-har)");
            return har;
        }
        Files.delete(lean);
        Files.delete(har);
        said.accept("paperpod network.har is not kept: " + leanSize + " bytes even without response bodies, over "
                + maxBytes + " (paperpod.worker.browser.max-har)");
        return null;
    }

    /** Copies {@code har} to {@code to}, leaving out every {@code content.text}. */
    static void withoutBodies(Path har, Path to) throws IOException {
        try (JsonParser in = JSON.createParser(har.toFile());
                JsonGenerator out = JSON.createGenerator(to.toFile(), JsonEncoding.UTF8)) {
            for (JsonToken token = in.nextToken(); token != null; token = in.nextToken()) {
                if (token == JsonToken.PROPERTY_NAME && "text".equals(in.currentName()) && inContent(in)) {
                    in.nextToken();
                    in.skipChildren();
                    continue;
                }
                out.copyCurrentEvent(in);
            }
        }
    }

    /** Whether the parser is in an object named {@code content}. */
    private static boolean inContent(JsonParser in) {
        TokenStreamContext object = in.streamReadContext();
        TokenStreamContext parent = object.getParent();
        return parent != null && "content".equals(parent.currentName());
    }
}
