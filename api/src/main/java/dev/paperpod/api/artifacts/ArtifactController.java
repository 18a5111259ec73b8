package dev.paperpod.api.artifacts;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.jobs.JobIds;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.artifacts.ArtifactStore;
import dev.paperpod.schemas.job.ArtifactRef;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The files a job gave (a background job's screenshot or PDF, a trace with its console log and HAR), to the account
 * that ran it: listed with their type, size, SHA-256 and expiry, downloaded whole or by byte range.
 */
@RestController
@RequestMapping("/v1/jobs/{id}/artifacts")
class ArtifactController {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final JobStore jobs;
    private final ArtifactStore store;
    private final Clock clock;

    ArtifactController(JobStore jobs, ArtifactStore store, Clock clock) {
        this.jobs = jobs;
        this.store = store;
        this.clock = clock;
    }

    /** What {@code GET /v1/jobs/{id}/artifacts} answers. */
    record ArtifactList(List<ArtifactRef> artifacts) {}

    /**
     * The job's artifacts, from the store itself: a sync job's are listed as soon as its answer is out, before its
     * record has reached the job's history.
     */
    @GetMapping
    ArtifactList list(Caller caller, @PathVariable String id) throws IOException {
        UUID jobId = JobIds.parse(id);
        List<ArtifactRef> kept = store.list(jobId).stream()
                .filter(a -> a.accountId().equals(caller.accountId()))
                .map(ArtifactStore.Stored::ref)
                .toList();
        if (kept.isEmpty()) {
            job(caller, jobId); // no such job of the caller's: 404
        }
        return new ArtifactList(kept);
    }

    /**
     * The artifact's bytes, with its type, length and SHA-256 (as {@code ETag}); {@code Range: bytes=a-b} gives a part
     * (206), {@code If-None-Match} with its tag 304.
     */
    @GetMapping("/{name}")
    void download(
            Caller caller,
            @PathVariable String id,
            @PathVariable String name,
            @RequestHeader(name = HttpHeaders.RANGE, required = false) @Nullable String range,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) @Nullable String ifNoneMatch,
            HttpServletResponse response)
            throws IOException {
        UUID jobId = JobIds.parse(id);
        ArtifactStore.Stored stored = store.find(jobId, name)
                .filter(a -> a.accountId().equals(caller.accountId()))
                .orElseThrow(() -> absent(job(caller, jobId), name));
        ArtifactRef ref = stored.ref();
        if (ref.expiresAt().isBefore(clock.instant())) {
            throw gone(name, "it expired at " + ref.expiresAt());
        }
        String tag = "\"" + ref.sha256() + "\"";
        response.setHeader(HttpHeaders.ETAG, tag);
        response.setHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
        response.setHeader(
                HttpHeaders.CACHE_CONTROL,
                "private, max-age="
                        + Math.max(
                                0,
                                Duration.between(clock.instant(), ref.expiresAt())
                                        .toSeconds()));
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "inline; filename=\"" + ref.name() + "\"");
        if (tag.equals(ifNoneMatch)) {
            response.setStatus(HttpStatus.NOT_MODIFIED.value());
            return;
        }
        long size = ref.size();
        long first = 0;
        long last = size - 1;
        if (range != null) {
            long[] asked = range(range, size);
            if (asked == null) {
                response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
                throw new ApiException(
                        HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                        "RANGE_NOT_SATISFIABLE",
                        "the artifact is " + size + " bytes; " + range + " is not a range of it",
                        "ask for one range, e.g. Range: bytes=0-1023, or leave Range out for the whole file",
                        null);
            }
            first = asked[0];
            last = asked[1];
            response.setStatus(HttpStatus.PARTIAL_CONTENT.value());
            response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes " + first + "-" + last + "/" + size);
        }
        response.setContentType(ref.contentType());
        response.setContentLengthLong(last - first + 1);
        try (InputStream in = stored.open(first)) {
            OutputStream out = response.getOutputStream();
            copy(in, out, last - first + 1);
        }
    }

    /** One range of {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}, within the file; null when it is not. */
    static long @Nullable [] range(String header, long size) {
        Matcher m = RANGE.matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return null;
        }
        long first;
        long last;
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                first = Math.max(0, size - suffix);
                last = size - 1;
            } else {
                first = Long.parseLong(m.group(1));
                last = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return first > last || first >= size ? null : new long[] {first, last};
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /** The caller's job, to explain why it has no such artifact; 404 when there is no such job of the caller's. */
    private JobRecord job(Caller caller, UUID jobId) {
        return JobIds.owned(jobs, jobId, caller.accountId());
    }

    private ApiException absent(JobRecord job, String name) {
        List<ArtifactRef> listed =
                job.result() == null ? List.of() : job.result().artifacts();
        for (ArtifactRef ref : listed) {
            if (ref.name().equals(name)) {
                return gone(name, "it expired and was deleted"); // its result names it, the store has let it go
            }
        }
        String hint = listed.isEmpty()
                ? job.status().isTerminal()
                        ? "this job gave no files; browser jobs give them when run in the background or with"
                                + " \"trace\": true"
                        : "the job is " + job.status() + "; its files are listed once it has ended"
                : "its artifacts are "
                        + String.join(
                                ", ", listed.stream().map(ArtifactRef::name).toList());
        return new ApiException(
                HttpStatus.NOT_FOUND, "ARTIFACT_NOT_FOUND", "job " + job.id() + " has no artifact " + name, hint, null);
    }

    private static ApiException gone(String name, String why) {
        return new ApiException(
                HttpStatus.GONE,
                "ARTIFACT_EXPIRED",
                name + " is no longer kept: " + why,
                "artifacts are kept for paperpod.artifacts.ttl (24 h unless the operator set otherwise); run the job"
                        + " again for a new one",
                null);
    }
}
