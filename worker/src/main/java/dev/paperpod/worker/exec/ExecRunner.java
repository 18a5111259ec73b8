package dev.paperpod.worker.exec;

import dev.paperpod.agent.client.Cancellation;
import dev.paperpod.agent.client.ExecCommand;
import dev.paperpod.agent.client.ExecOutcome;
import dev.paperpod.agent.client.OutputListener;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.Verdict;
import dev.paperpod.worker.jobs.OutputSink;
import dev.paperpod.worker.sandbox.Sandbox;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** Runs an {@link ExecSpec} in a claimed sandbox through its agent. */
public final class ExecRunner {

    /** Time the agent gets beyond the job's own timeout to kill the process and report. */
    private static final Duration AGENT_MARGIN = Duration.ofSeconds(10);

    private final Clock clock;
    private final long outputLimit;

    public ExecRunner(Clock clock, long outputLimit) {
        this.clock = clock;
        this.outputLimit = outputLimit;
    }

    /**
     * What a run produced and when it ran.
     *
     * @param startedAt the process started (the agent's STARTED), or when the request went out if it never did
     */
    public record Run(ExecResult result, Instant startedAt, Instant finishedAt) {}

    /**
     * Runs the program.
     *
     * @throws IOException when the agent fails or cannot be reached: an infrastructure fault, not a result
     */
    public Run run(Sandbox sandbox, ExecSpec spec, OutputSink sink) throws IOException {
        return run(sandbox, spec, sink, new Cancellation());
    }

    /**
     * Runs the program until it ends or {@code cancellation} stops it.
     *
     * @throws Cancellation.CanceledException when it was canceled; its processes are gone
     */
    public Run run(Sandbox sandbox, ExecSpec spec, OutputSink sink, Cancellation cancellation) throws IOException {
        LanguageCommand language = LanguageCommand.of(spec.language());
        ExecCommand command = new ExecCommand(
                language.interpreter(),
                spec.env(),
                null,
                spec.stdin() == null ? null : spec.stdin().getBytes(StandardCharsets.UTF_8),
                spec.code().getBytes(StandardCharsets.UTF_8),
                language.scriptName(),
                spec.timeoutMs(),
                outputLimit);
        Capture capture = new Capture(sink);
        Instant requested = clock.instant();
        ExecOutcome outcome = sandbox.agent()
                .exec(command, capture, Duration.ofMillis(spec.timeoutMs()).plus(AGENT_MARGIN), cancellation);
        Instant finished = clock.instant();
        capture.flush();
        ExecResult result = new ExecResult(
                capture.stdout.toString(StandardCharsets.UTF_8),
                capture.stderr.toString(StandardCharsets.UTF_8),
                outcome.exitCode(),
                verdict(outcome.verdict()),
                outcome.truncated(),
                outcome.wallMs(),
                outcome.cpuMs(),
                outcome.peakMemoryBytes());
        return new Run(result, capture.startedAt != null ? capture.startedAt : requested, finished);
    }

    private static Verdict verdict(String name) {
        try {
            return Verdict.valueOf(name);
        } catch (IllegalArgumentException e) {
            return Verdict.ERROR;
        }
    }

    /** Keeps the output for the result and passes it on, decoded, as it comes. */
    private final class Capture implements OutputListener {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        private final Decoder outText = new Decoder(JobOutput.Stream.STDOUT);
        private final Decoder errText = new Decoder(JobOutput.Stream.STDERR);
        private final OutputSink sink;

        @Nullable
        Instant startedAt;

        Capture(OutputSink sink) {
            this.sink = sink;
        }

        @Override
        public void started(long pid) {
            startedAt = clock.instant();
        }

        @Override
        public void output(boolean isStderr, byte[] data, int offset, int length) {
            // The agent enforces the limit on both streams together; this only guards our memory.
            int room = (int) Math.max(0, outputLimit - stdout.size() - stderr.size());
            (isStderr ? stderr : stdout).write(data, offset, Math.min(length, room));
            if (sink != OutputSink.NONE) {
                (isStderr ? errText : outText).decode(data, offset, length);
            }
        }

        void flush() {
            if (sink != OutputSink.NONE) {
                outText.finish();
                errText.finish();
            }
        }

        /** UTF-8 decoding that carries a character split across two chunks over to the next one. */
        private final class Decoder {
            private final JobOutput.Stream stream;
            private final CharsetDecoder decoder = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
            private ByteBuffer pending = ByteBuffer.allocate(0);

            Decoder(JobOutput.Stream stream) {
                this.stream = stream;
            }

            void decode(byte[] data, int offset, int length) {
                ByteBuffer in = ByteBuffer.allocate(pending.remaining() + length);
                in.put(pending).put(data, offset, length).flip();
                CharBuffer out = CharBuffer.allocate((int) (in.remaining() * 1.1) + 4);
                decoder.decode(in, out, false);
                pending = in.slice();
                emit(out);
            }

            void finish() {
                CharBuffer out = CharBuffer.allocate(pending.remaining() + 4);
                decoder.decode(pending, out, true);
                decoder.flush(out);
                pending = ByteBuffer.allocate(0);
                emit(out);
            }

            private void emit(CharBuffer out) {
                out.flip();
                if (out.hasRemaining()) {
                    sink.accept(stream, out.toString());
                }
            }
        }
    }
}
