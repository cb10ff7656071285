package io.ferrite.bench.sim;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes a hit-ratio chart as a self-contained SVG: capacity (entries, logarithmic) across, hit ratio (percent)
 * up, one polyline with markers per policy, and a legend.
 */
final class SvgPlot
{
    private static final int WIDTH = 760;
    private static final int HEIGHT = 460;
    private static final int LEFT = 60;
    private static final int RIGHT = 230;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final String[] COLOURS =
        { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf" };

    private SvgPlot()
    {
    }

    /**
     * Write the chart of {@code ratios[policy][capacity]} (fractions) to {@code file}.
     */
    static void write(
        final Path file,
        final String title,
        final int[] capacities,
        final List<String> policies,
        final double[][] ratios) throws IOException
    {
        double max = 0;
        for (final double[] row : ratios)
        {
            for (final double r : row)
            {
                max = Math.max(max, r);
            }
        }
        final double yMax = Math.min(100, Math.ceil(max * 100 / 10) * 10);
        final double xMin = Math.log(capacities[0]);
        final double xMax = Math.log(capacities[capacities.length - 1]);
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int plotHeight = HEIGHT - TOP - BOTTOM;

        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            out.write(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" " +
                "font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", WIDTH, HEIGHT));
            out.write(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", LEFT, escape(title)));
            for (int i = 0; i <= 5; i++)
            {
                final double value = yMax * i / 5;
                final double y = TOP + plotHeight - plotHeight * i / 5.0;
                out.write(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n" +
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f%%</text>%n",
                    LEFT, y, LEFT + plotWidth, y, LEFT - 6, y + 4, value));
            }
            for (final int capacity : capacities)
            {
                final double x = x(capacity, xMin, xMax, plotWidth);
                out.write(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n" +
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x, TOP, x, TOP + plotHeight, x, TOP + plotHeight + 16, capacity));
            }
            out.write(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n" +
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">capacity (entries, log scale)</text>%n" +
                "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">hit ratio</text>%n",
                LEFT, TOP, plotWidth, plotHeight, LEFT + plotWidth / 2, HEIGHT - 12, TOP + plotHeight / 2,
                TOP + plotHeight / 2));
            for (int p = 0; p < policies.size(); p++)
            {
                final String colour = COLOURS[p % COLOURS.length];
                final StringBuilder points = new StringBuilder();
                for (int c = 0; c < capacities.length; c++)
                {
                    final double x = x(capacities[c], xMin, xMax, plotWidth);
                    final double y = TOP + plotHeight - plotHeight * Math.min(1, ratios[p][c] * 100 / yMax);
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                    out.write(String.format(Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, colour));
                }
                final String dash = policies.get(p).startsWith("Ferrite") ? "" : " stroke-dasharray=\"5,3\"";
                out.write(String.format(Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    points.toString().trim(), colour, dash));
                final int ly = TOP + 10 + p * 20;
                out.write(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n" +
                    "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    WIDTH - RIGHT + 15, ly, WIDTH - RIGHT + 40, ly, colour, dash, WIDTH - RIGHT + 46, ly + 4,
                    escape(policies.get(p))));
            }
            out.write("</svg>\n");
        }
    }

    private static double x(final int capacity, final double xMin, final double xMax, final int plotWidth)
    {
        final double span = xMax > xMin ? xMax - xMin : 1;
        return LEFT + 10 + (plotWidth - 20) * (Math.log(capacity) - xMin) / span;
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
