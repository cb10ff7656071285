package io.ferrite.bench.latency;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes an SVG percentile plot: latency (log scale, microseconds) against percentile, the x axis being
 * {@code log10(1 / (1 - p))} so 90%, 99%, 99.9%, ... are evenly spaced (the usual HdrHistogram plot).
 */
final class PercentilePlot
{
    private static final String[] COLOURS = { "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b" };
    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 230;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final double MAX_X = 5;

    private final String title;
    private final List<String> labels = new ArrayList<>();
    private final List<Histogram> histograms = new ArrayList<>();

    PercentilePlot(final String title)
    {
        this.title = title;
    }

    PercentilePlot add(final String label, final Histogram histogram)
    {
        if (histogram.getTotalCount() > 0)
        {
            labels.add(label);
            histograms.add(histogram);
        }
        return this;
    }

    String toSvg()
    {
        double minUs = Double.MAX_VALUE;
        double maxUs = 1;
        for (final Histogram h : histograms)
        {
            minUs = Math.min(minUs, Math.max(1, h.getMinValue() / 1000.0));
            maxUs = Math.max(maxUs, h.getMaxValue() / 1000.0);
        }
        final double yLo = Math.floor(Math.log10(Math.min(minUs, maxUs)));
        final double yHi = Math.max(yLo + 1, Math.ceil(Math.log10(maxUs)));
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"25\" font-size=\"15\">%s</text>%n",
            LEFT, escape(title)));
        final String[] xLabels = { "0%", "90%", "99%", "99.9%", "99.99%", "99.999%" };
        for (int i = 0; i <= MAX_X; i++)
        {
            final double x = LEFT + plotW * i / MAX_X;
            sb.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, TOP, x, TOP + plotH));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, TOP + plotH + 18, xLabels[i]));
        }
        for (int e = (int)yLo; e <= (int)yHi; e++)
        {
            final double y = TOP + plotH - plotH * (e - yLo) / (yHi - yLo);
            sb.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, LEFT + plotW, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, formatUs(Math.pow(10, e))));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " +
            "stroke=\"#333\"/>%n", LEFT, TOP, plotW, plotH));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile " +
            "(x = log10(1/(1-p)))</text>%n", LEFT + plotW / 2, HEIGHT - 15));
        sb.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" " +
            "transform=\"rotate(-90 18 %d)\">latency (log scale)</text>%n", TOP + plotH / 2, TOP + plotH / 2));
        for (int s = 0; s < histograms.size(); s++)
        {
            final String colour = COLOURS[s % COLOURS.length];
            final Histogram h = histograms.get(s);
            final StringBuilder points = new StringBuilder();
            final double lastX = Math.min(MAX_X, Math.log10(Math.max(10, h.getTotalCount())));
            for (final HistogramIterationValue v : h.percentiles(10))
            {
                final double p = v.getPercentileLevelIteratedTo() / 100.0;
                final double x = p >= 1.0 ? lastX : Math.min(lastX, Math.log10(1 / (1 - p)));
                final double us = Math.max(
                    Math.pow(10, yLo), h.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotW * x / MAX_X,
                    TOP + plotH - plotH * (Math.log10(us) - yLo) / (yHi - yLo)));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" " +
                "points=\"%s\"/>%n", colour, points.toString().trim()));
            final int ly = TOP + 10 + 20 * s;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" " +
                "stroke-width=\"3\"/>%n", LEFT + plotW + 12, ly, LEFT + plotW + 36, ly, colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n",
                LEFT + plotW + 42, ly + 4, escape(labels.get(s))));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    static String formatUs(final double us)
    {
        if (us >= 1_000_000)
        {
            return String.format(Locale.ROOT, "%.0f s", us / 1_000_000);
        }
        if (us >= 1000)
        {
            return String.format(Locale.ROOT, "%.0f ms", us / 1000);
        }
        return String.format(Locale.ROOT, "%.0f µs", us);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
