package dev.paperpod.api.preview;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which preview a request is for, by its host ({@code 8080-sbx-….<previewDomain>}) or, for clients that cannot use
 * wildcard hosts, by its path ({@code /preview/sbx-…/8080/…}), and the path to send on to the sandbox's server.
 *
 * @param target the request's path and query as the server inside the sandbox gets them
 * @param byPath the preview was named by the path form, whose prefix {@link #prefix} is
 */
record PreviewAddress(String sandboxId, int port, String target, boolean byPath) {

    static final String PATH_PREFIX = "/preview/";

    private static final String SANDBOX = "(sbx-[0-9a-f-]{12})";
    private static final Pattern HOST = Pattern.compile("([0-9]{1,5})-" + SANDBOX + "\\.(.+)");
    private static final Pattern PATH = Pattern.compile("/preview/" + SANDBOX + "/([0-9]{1,5})(/.*)?");

    /** The path-form prefix of this preview, without a trailing slash. */
    String prefix() {
        return PATH_PREFIX + sandboxId + "/" + port;
    }

    /**
     * The preview {@code request} is for, or null when it is for the api itself.
     *
     * @param domain the host part of the preview domain (e.g. {@code localhost}), which host-form requests end with
     */
    static @Nullable PreviewAddress of(HttpServletRequest request, String domain) {
        String query = request.getQueryString() == null ? "" : "?" + request.getQueryString();
        String host = request.getServerName();
        if (host != null) {
            Matcher m = HOST.matcher(host.toLowerCase(Locale.ROOT));
            if (m.matches() && m.group(3).equals(domain)) {
                return new PreviewAddress(
                        m.group(2), Integer.parseInt(m.group(1)), request.getRequestURI() + query, false);
            }
        }
        String uri = request.getRequestURI();
        if (uri.startsWith(PATH_PREFIX)) {
            Matcher m = PATH.matcher(uri);
            if (m.matches()) {
                String rest = m.group(3) == null ? "" : m.group(3);
                return new PreviewAddress(m.group(1), Integer.parseInt(m.group(2)), rest + query, true);
            }
        }
        return null;
    }
}
