package dev.paperpod.benchmarks;

import java.util.List;
import java.util.Locale;

/** A horizontal bar chart of p50 and p99 per path, as SVG: no plotting library needed for a dozen bars. */
final class Plot {

    private static final int LABEL = 330;
    private static final int WIDTH = 560;
    private static final int ROW = 34;

    private Plot() {}

    /** Bars scaled to the largest p99 shown; each labelled with its values. */
    static String svg(String title, List<Samples> rows) {
        double max = rows.stream().mapToDouble(Samples::p99).max().orElse(1);
        int height = 60 + rows.size() * ROW;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                        + " font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n",
                LABEL + WIDTH + 120,
                height));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"32\" width=\"12\" height=\"10\" fill=\"#2b6cb0\"/><text x=\"%d\" y=\"41\">p50</text>"
                        + "<rect x=\"%d\" y=\"32\" width=\"12\" height=\"10\" fill=\"#a3c4e8\"/><text x=\"%d\" y=\"41\">p99"
                        + " (ms)</text>%n",
                LABEL,
                LABEL + 16,
                LABEL + 50,
                LABEL + 66));
        int y = 55;
        for (Samples s : rows) {
            double w99 = WIDTH * s.p99() / max;
            double w50 = WIDTH * s.p50() / max;
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n"
                            + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"22\" fill=\"#a3c4e8\"/>%n"
                            + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"22\" fill=\"#2b6cb0\"/>%n"
                            + "<text x=\"%.1f\" y=\"%d\">%.1f / %.1f</text>%n",
                    LABEL - 8,
                    y + 15,
                    escape(s.name().strip()),
                    LABEL,
                    y,
                    w99,
                    LABEL,
                    y,
                    w50,
                    LABEL + w99 + 6,
                    y + 15,
                    s.p50(),
                    s.p99()));
            y += ROW;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "");
    }
}
