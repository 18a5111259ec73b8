package dev.paperpod.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A transfer's progress on standard error, redrawn in place at most ten times a second: a bar and the percentage
 * when the size is known, and always the bytes so far and the rate. Silent for small transfers.
 */
final class ProgressBar implements Client.Progress {

    /** Transfers smaller than this finish before a bar is worth drawing. */
    static final long WORTH_IT = 1024 * 1024;

    private static final int WIDTH = 30;
    private static final long EVERY_NANOS = 100_000_000L;

    private final PrintStream err;
    private final String label;
    private final long started = System.nanoTime();
    private long drawnAt;
    private boolean drawn;

    ProgressBar(PrintStream err, String label) {
        this.err = err;
        this.label = label;
    }

    /** A bar when asked for, or when a person watches (a console) and the transfer is large; else nothing. */
    static Client.Progress of(boolean asked, long size, String label) {
        boolean watched = System.console() != null && (size < 0 || size >= WORTH_IT);
        return asked || watched ? new ProgressBar(System.err, label) : (done, total) -> {};
    }

    @Override
    public void at(long done, long total) {
        long now = System.nanoTime();
        boolean last = total >= 0 && done >= total;
        if (!last && drawn && now - drawnAt < EVERY_NANOS) {
            return;
        }
        drawnAt = now;
        drawn = true;
        double seconds = Math.max(1e-3, (now - started) / 1e9);
        String rate = String.format(Locale.ROOT, "%.1f MB/s", done / 1e6 / seconds);
        String line;
        if (total > 0) {
            int filled = (int) (WIDTH * done / total);
            line = String.format(
                    Locale.ROOT,
                    "%s [%s%s] %3d%%  %s / %s  %s",
                    label,
                    "#".repeat(filled),
                    ".".repeat(WIDTH - filled),
                    100 * done / total,
                    megabytes(done),
                    megabytes(total),
                    rate);
        } else {
            line = String.format(Locale.ROOT, "%s %s  %s", label, megabytes(done), rate);
        }
        err.print("\r" + line);
        if (last) {
            err.println();
        }
        err.flush();
    }

    /** Ends the line, when the size was not known beforehand. */
    void done() {
        if (drawn) {
            err.println();
            err.flush();
        }
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
