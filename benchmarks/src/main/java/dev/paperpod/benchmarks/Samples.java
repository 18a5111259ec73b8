package dev.paperpod.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/** Latencies of one measured path, in nanoseconds. */
final class Samples {

    private final String name;
    private long[] values = new long[64];
    private int size;

    Samples(String name) {
        this.name = name;
    }

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    String name() {
        return name;
    }

    int count() {
        return size;
    }

    /** The nearest-rank percentile, in milliseconds. */
    double percentile(double p) {
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
    }

    double p50() {
        return percentile(50);
    }

    double p99() {
        return percentile(99);
    }

    String row() {
        return String.format(
                Locale.ROOT, "| %-46s | %5d | %9.2f | %9.2f | %9.2f |", name, size, p50(), p99(), percentile(100));
    }

    static String header() {
        return "| path                                           |     n |  p50 (ms) |  p99 (ms) |  max (ms) |\n"
                + "| ---------------------------------------------- | ----: | --------: | --------: | --------: |";
    }
}
