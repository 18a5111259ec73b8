package dev.paperpod.api.sandbox;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.sandbox.SandboxOperation;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/**
 * Files of any size, streamed: {@code PUT /files/content?path=…} writes the request's body as it comes, {@code GET
 * /files/content?path=…} answers the file's bytes as they are read. They go over the hosting worker's tunnel
 * listener rather than Kafka, so nothing bounds them but the sandbox's disk. The sandbox is named in the answer's
 * {@code X-PaperPod-Sandbox-Id} header on a download (its body is the file), in the JSON on an upload.
 */
@RestController
class FileContentController {

    static final String SANDBOX_ID_HEADER = "X-PaperPod-Sandbox-Id";

    private final SandboxRouter router;

    FileContentController(SandboxRouter router) {
        this.router = router;
    }

    @PutMapping("/files/content")
    ObjectNode upload(
            Caller caller,
            HttpServletRequest request,
            @RequestParam(required = false) @Nullable String path,
            @RequestParam(required = false) @Nullable Long mode,
            @RequestParam(required = false, defaultValue = "false") boolean append)
            throws IOException {
        String file = SandboxController.path("path", path);
        if (mode != null && (mode < 0 || mode > 07777)) {
            throw ApiException.invalidField(
                    "mode", "mode " + mode + " is not a Unix permission", "send e.g. 420 (0644) or 493 (0755)");
        }
        String name = SandboxNames.kept(request);
        SandboxRouter.Streamed to = router.stream(caller, name);
        String line = to.line(
                "WRITE", encode(file), request.getContentLengthLong(), mode == null ? "-" : mode, append ? 1 : 0);
        Socket socket = WorkerTunnels.connect(to.tunnel(), line, new byte[0]);
        try (socket) {
            try {
                request.getInputStream().transferTo(socket.getOutputStream());
                socket.shutdownOutput();
            } catch (IOException e) {
                // the worker refused part-way and closed: its answer says why; or the client went away
            }
            String answer = WorkerTunnels.readLine(socket.getInputStream());
            String[] ok = answered(answer, new SandboxOperation.WriteFile(file, new byte[0], mode, append));
            ObjectNode out = Wire.mapper().createObjectNode();
            out.put("path", file);
            out.put("size", Long.parseLong(ok[2]));
            return router.answeredBy(to.placement(), ok[1]).addTo(out);
        }
    }

    @GetMapping("/files/content")
    void download(
            Caller caller,
            HttpServletRequest request,
            HttpServletResponse response,
            @RequestParam(required = false) @Nullable String path)
            throws IOException {
        String file = SandboxController.path("path", path);
        String name = SandboxNames.kept(request);
        SandboxRouter.Streamed from = router.stream(caller, name);
        Socket socket = WorkerTunnels.connect(from.tunnel(), from.line("READ", encode(file)), new byte[0]);
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            String[] ok = answered(WorkerTunnels.readLine(in), new SandboxOperation.ReadFile(file, Long.MAX_VALUE));
            SandboxRouter.Seen seen = router.answeredBy(from.placement(), ok[1]);
            long size = Long.parseLong(ok[2]);
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            response.setContentLengthLong(size);
            response.setHeader(SANDBOX_ID_HEADER, seen.sandboxId());
            if (seen.restarted()) {
                response.setHeader("X-PaperPod-Sandbox-Restarted", "true");
                response.setHeader("X-PaperPod-Previous-Sandbox-Id", seen.previousSandboxId());
            }
            response.setHeader("X-PaperPod-File-Mode", ok[3]);
            response.setDateHeader("Last-Modified", Long.parseLong(ok[4]));
            OutputStream out = response.getOutputStream();
            byte[] buffer = new byte[64 * 1024];
            long left = size;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("the file's content ended " + left + " bytes short");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    /** The fields of an {@code OK} answer, or the worker's refusal as the client's error. */
    private static String[] answered(String answer, SandboxOperation operation) {
        if (answer.startsWith("OK ")) {
            return answer.split(" ");
        }
        throw WorkerTunnels.refusal(answer, operation);
    }

    private static String encode(String path) {
        return URLEncoder.encode(path, StandardCharsets.UTF_8);
    }
}
