package dev.paperpod.api.sandbox;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.sandbox.SandboxOperation;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * A background process's output as it comes, as server-sent events ({@code /process/logs} with {@code follow}):
 * {@code sandbox} first (which sandbox), then {@code output} ({@code {"stream","data"}}, as a job's stream has them)
 * for what is kept and what follows, and {@code exited} ({@code {"name","exitCode"}}) when the process ends. It comes
 * over the hosting worker's tunnel listener, not Kafka; a comment every 15 s keeps a quiet stream open.
 */
@Component
class ProcessLogStreams {

    private final SandboxRouter router;

    ProcessLogStreams(SandboxRouter router) {
        this.router = router;
    }

    void follow(Caller caller, String name, String process, long tail, HttpServletResponse response)
            throws IOException {
        SandboxRouter.Streamed from = router.stream(caller, name);
        Socket socket = WorkerTunnels.connect(from.tunnel(), from.line("LOGS", process, tail), new byte[0]);
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            String answer = WorkerTunnels.readLine(in);
            if (!answer.startsWith("OK ")) {
                throw WorkerTunnels.refusal(answer, new SandboxOperation.ProcessLogs(process, tail));
            }
            SandboxRouter.Seen seen = router.answeredBy(from.placement(), answer.substring(3));
            response.setContentType("text/event-stream");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-cache");
            response.setHeader("X-Accel-Buffering", "no");
            OutputStream out = response.getOutputStream();
            event(out, "sandbox", seen.addTo(Wire.mapper().createObjectNode()).put("name", process));
            while (true) {
                String line = WorkerTunnels.readLine(in);
                if (line.equals("K")) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } else if (line.startsWith("O ") || line.startsWith("E ")) {
                    byte[] chunk = in.readNBytes(Integer.parseInt(line.substring(2)));
                    ObjectNode data = Wire.mapper().createObjectNode();
                    data.put("stream", line.charAt(0) == 'O' ? "stdout" : "stderr");
                    data.put("data", new String(chunk, StandardCharsets.UTF_8));
                    event(out, "output", data);
                } else if (line.startsWith("X ")) {
                    ObjectNode data = Wire.mapper().createObjectNode().put("name", process);
                    String code = line.substring(2);
                    if (!code.equals("-")) {
                        data.put("exitCode", Integer.parseInt(code));
                    }
                    event(out, "exited", data);
                    return;
                } else {
                    ObjectNode data = (ObjectNode) Wire.mapper()
                            .valueToTree(WorkerTunnels.refusal(line, new SandboxOperation.ProcessLogs(process, tail))
                                    .body());
                    event(out, "error", data);
                    return;
                }
            }
        }
    }

    private static void event(OutputStream out, String name, ObjectNode data) throws IOException {
        out.write(("event: " + name + "\ndata: " + Wire.mapper().writeValueAsString(data) + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
