package dev.paperpod.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import dev.paperpod.agent.client.ExecCommand;
import dev.paperpod.agent.client.ExecOutcome;
import dev.paperpod.schemas.sandbox.SandboxAnswer;
import dev.paperpod.worker.WorkerProperties;
import dev.paperpod.worker.account.Kernels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image PaperPod ships ({@code localhost/paperpod/full}), in a sandbox made exactly as the worker makes them
 * (read-only root, no capabilities, full egress): every tool runs, and the seed's examples work. Run by
 * {@code ./paperpod test-full-image} (Maven profile {@code full-image}).
 */
class FullImageIT {

    /** Each tool and a command that proves it runs. */
    static final Map<String, String> TOOLS = Map.ofEntries(
            Map.entry("python3", "python3 --version"),
            Map.entry("python", "python -c 'import sys; assert sys.version_info[0] == 3'"),
            Map.entry("pip", "pip3 --version"),
            Map.entry("venv", "python3 -m venv /tmp/venv"),
            Map.entry("numpy/pandas/matplotlib", "python3 -c 'import numpy, pandas, matplotlib'"),
            Map.entry("node", "node --version"),
            Map.entry("npm", "npm --version"),
            Map.entry("bun", "bun --version"),
            Map.entry("typescript", "tsc --version"),
            Map.entry("ts-node", "ts-node --version"),
            Map.entry("java", "java -version"),
            Map.entry("git", "git --version"),
            Map.entry("gh", "gh --version"),
            Map.entry("curl", "curl --version"),
            Map.entry("wget", "wget --version"),
            Map.entry("httpie", "http --version"),
            Map.entry("jq", "jq --version"),
            Map.entry("dig", "dig -v"),
            Map.entry("ss", "ss -V"),
            Map.entry("ip", "ip -V"),
            Map.entry("nc", "nc -h"),
            Map.entry("ssh", "ssh -V"),
            Map.entry("rsync", "rsync --version"),
            Map.entry("ripgrep", "rg --version"),
            Map.entry("find", "find --version"),
            Map.entry("sed", "sed --version"),
            Map.entry("awk", "awk --version"),
            Map.entry("tree", "tree --version"),
            Map.entry("file", "file --version"),
            Map.entry("less", "less --version"),
            Map.entry("vim", "vi --version"),
            Map.entry("nano", "nano --version"),
            Map.entry("bc", "bc --version"),
            Map.entry("diff", "diff --version"),
            Map.entry("patch", "patch --version"),
            Map.entry("make", "make --version"),
            Map.entry("gcc", "gcc --version"),
            Map.entry("g++", "g++ --version"),
            Map.entry("sqlite3", "sqlite3 --version"),
            Map.entry("tar", "tar --version"),
            Map.entry("gzip", "gzip --version"),
            Map.entry("bzip2", "bzip2 --help"),
            Map.entry("xz", "xz --version"),
            Map.entry("zstd", "zstd --version"),
            Map.entry("zip", "zip -v"),
            Map.entry("unzip", "unzip -v"),
            Map.entry("7z", "7z i"),
            Map.entry("ffmpeg", "ffmpeg -version"),
            Map.entry("ffprobe", "ffprobe -version"),
            Map.entry("imagemagick", "convert -version"),
            Map.entry("pandoc", "pandoc --version"),
            Map.entry("sox", "sox --version"),
            Map.entry("tesseract", "tesseract --version"),
            Map.entry("poppler-utils", "pdftotext -v"),
            Map.entry("ghostscript", "gs --version"),
            Map.entry("libreoffice", "soffice --version"),
            Map.entry("openssl", "openssl version"));

    @TempDir
    static Path sockets;

    static DockerClient docker;
    static PodmanSandboxRuntime runtime;
    static Sandbox sandbox;

    @BeforeAll
    static void startSandbox() {
        docker = Podman.docker();
        WorkerProperties.Sandbox settings = SandboxSettings.aSandbox(sockets)
                .image("localhost/paperpod/full")
                .build();
        runtime = new PodmanSandboxRuntime(docker, settings, "bridge", "full-image-it", Clock.systemUTC());
        runtime.checkImage();
        sandbox = runtime.create();
        PodmanSandboxRuntimeIT.awaitAgent(sandbox);
        runtime.seal(sandbox);
    }

    @AfterAll
    static void stopSandbox() throws IOException {
        runtime.destroy(sandbox);
        docker.close();
    }

    @Test
    void everyToolRuns() throws IOException {
        assertThat(TOOLS).hasSizeGreaterThanOrEqualTo(50);
        StringBuilder script = new StringBuilder();
        TOOLS.forEach((tool, command) -> script.append(command)
                .append(" >/tmp/out 2>&1 </dev/null && echo 'ok ")
                .append(tool)
                .append("' || { echo 'FAILED ")
                .append(tool)
                .append(": '\"$(head -c 300 /tmp/out)\"; }\n"));

        String out = run(script.toString(), 300_000);

        List<String> failed = out.lines().filter(l -> l.startsWith("FAILED")).toList();
        assertThat(failed).as(out).isEmpty();
        assertThat(out.lines().filter(l -> l.startsWith("ok "))).hasSize(TOOLS.size());
    }

    @Test
    void theSeedsExamplesWork() throws IOException {
        String out = run("""
                set -e
                npm init -y >/dev/null && npm install --no-audit --no-fund express >/dev/null
                node -e "require('express'); console.log('express')"
                sqlite3 data.db "CREATE TABLE t(x); INSERT INTO t VALUES (42);" && sqlite3 data.db 'SELECT x FROM t'
                ffmpeg -loglevel error -f lavfi -i testsrc=duration=1:size=1280x720:rate=10 in.mp4
                ffmpeg -loglevel error -i in.mp4 -vf scale=640:480 out.mp4
                ffprobe -v error -show_entries stream=width,height -of csv=p=0 out.mp4
                convert -size 200x100 xc:blue image.png && convert image.png -resize 50% thumb.png
                identify -format '%wx%h\\n' thumb.png
                echo '# Hello' > doc.md && pandoc doc.md -o doc.html && cat doc.html
                """, 300_000);

        assertThat(out).isEqualTo("express\n42\n640,480\n100x50\n<h1 id=\"hello\">Hello</h1>\n");
    }

    @Test
    void pipAndNpmInstallUnderHomeWhileTheRootStaysReadOnly() throws IOException {
        // Packages made here (no index or registry needed): a wheel with a console script, an npm package with a bin.
        String out = run("""
                set -e
                mkdir -p /tmp/w && cd /tmp/w
                python3 - <<'PY'
                import zipfile
                with zipfile.ZipFile("demo-1.0-py3-none-any.whl", "w") as z:
                    z.writestr("demo/__init__.py", "def hi():\\n    return 'hi from pip'\\ndef main():\\n    print(hi())\\n")
                    z.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n")
                    z.writestr("demo-1.0.dist-info/WHEEL",
                               "Wheel-Version: 1.0\\nGenerator: paperpod\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
                    z.writestr("demo-1.0.dist-info/entry_points.txt", "[console_scripts]\\ndemo-hi = demo:main\\n")
                    z.writestr("demo-1.0.dist-info/RECORD", "")
                PY
                pip install --no-index --no-cache-dir ./demo-1.0-py3-none-any.whl >/dev/null 2>&1
                python -c 'import demo; print(demo.hi())'
                demo-hi
                mkdir -p /tmp/n && cd /tmp/n
                printf '{"name":"demo-cli","version":"1.0.0","bin":{"demo-cli":"cli.js"}}' > package.json
                printf '#!/usr/bin/env node\\nconsole.log("hi from npm -g")\\n' > cli.js
                npm pack >/dev/null 2>&1 && npm install -g --no-audit --no-fund ./demo-cli-1.0.0.tgz >/dev/null 2>&1
                demo-cli
                touch /usr/local/lib/x 2>/dev/null && echo root-writable || echo root-read-only
                ls -d /workspace/.local/lib/python3*/site-packages/demo /workspace/.npm-global/bin/demo-cli | sed 's/python3[.0-9]*/python3/'
                """, 120_000);

        assertThat(out)
                .isEqualTo("hi from pip\nhi from pip\nhi from npm -g\nroot-read-only\n"
                        + "/workspace/.local/lib/python3/site-packages/demo\n/workspace/.npm-global/bin/demo-cli\n");
    }

    @Test
    void interpretShowsMatplotlibFiguresAsPngAndDataFramesAsHtml() throws IOException {
        Kernels kernels = new Kernels();
        kernels.interpret(sandbox, "import pandas as pd\nimport matplotlib.pyplot as plt", 60_000);

        SandboxAnswer.Interpreted frame =
                kernels.interpret(sandbox, "pd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})", 60_000);
        SandboxAnswer.Interpreted figure =
                kernels.interpret(sandbox, "plt.plot([1, 2, 3], [1, 4, 9])\nplt.title('squares')\nNone", 60_000);

        assertThat(frame.error()).isNull();
        assertThat(frame.result()).containsKeys("text/plain", "text/html");
        assertThat(frame.result().get("text/html")).contains("<table").contains("<td>x</td>");
        assertThat(frame.result().get("text/plain")).contains("a  b");
        assertThat(figure.error()).isNull();
        assertThat(figure.displays()).hasSize(1);
        byte[] png = Base64.getDecoder().decode(figure.displays().get(0).get("image/png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }

    private static String run(String script, long timeoutMs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecCommand command = new ExecCommand(
                List.of("bash"),
                Map.of(),
                null,
                null,
                script.getBytes(StandardCharsets.UTF_8),
                "main.sh",
                timeoutMs,
                4 * 1024 * 1024);
        ExecOutcome outcome = sandbox.agent()
                .exec(
                        command,
                        (isStderr, d, o, l) -> (isStderr ? err : out).write(d, o, l),
                        Duration.ofMillis(timeoutMs + 30_000));
        assertThat(outcome.verdict()).as(err.toString(StandardCharsets.UTF_8)).isEqualTo("OK");
        assertThat(outcome.exitCode()).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
