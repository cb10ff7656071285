package io.ferrite.bench.latency;

import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes the results of a harness run: one {@code .hgrm} per scenario, target and operation (microseconds), a
 * markdown summary with ratios against Redis, and SVG percentile plots.
 */
final class Report
{
    private static final double[] PERCENTILES = { 50, 90, 99, 99.9, 99.99 };

    private final File dir;
    private final List<RunResult> results = new ArrayList<>();

    Report(final File dir)
    {
        this.dir = dir;
    }

    void add(final RunResult result)
    {
        results.add(result);
        System.out.println(row(result, "all"));
    }

    List<RunResult> results()
    {
        return results;
    }

    void writeHistograms() throws IOException
    {
        for (final RunResult r : results)
        {
            for (final String op : new String[]{ "all", "get", "put" })
            {
                final Histogram h = r.histogram(op);
                if (h.getTotalCount() > 0)
                {
                    writeHgrm(new File(dir, r.scenario + "-" + r.target + "-" + op + ".hgrm"), h);
                }
            }
            if (r.sendLag.getTotalCount() > 0)
            {
                writeHgrm(new File(dir, r.scenario + "-" + r.target + "-sendlag.hgrm"), r.sendLag);
            }
        }
    }

    void writePlot(final String file, final String title, final String scenario, final String[][] series)
        throws IOException
    {
        final PercentilePlot plot = new PercentilePlot(title);
        for (final String[] s : series)
        {
            final RunResult r = find(scenario, s[0]);
            if (null != r)
            {
                plot.add(s[2], r.histogram(s[1]));
            }
        }
        Files.writeString(new File(dir, file).toPath(), plot.toSvg(), StandardCharsets.UTF_8);
    }

    RunResult find(final String scenario, final String target)
    {
        for (final RunResult r : results)
        {
            if (r.scenario.equals(scenario) && r.target.equals(target))
            {
                return r;
            }
        }
        return null;
    }

    static String header()
    {
        return "| scenario | target | op | method | rate target/achieved (req/s) | count | p50 | p90 | p99 | p99.9 " +
            "| p99.99 | max | misses | errors | not sent |\n" +
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
    }

    static String row(final RunResult r, final String op)
    {
        final Histogram h = r.histogram(op);
        final StringBuilder sb = new StringBuilder();
        sb.append("| ").append(r.scenario).append(" | ").append(r.target).append(" | ").append(op.toUpperCase())
            .append(" | ").append(r.method).append(" | ")
            .append(r.targetRate > 0 ? String.format(Locale.ROOT, "%.0f", r.targetRate) : "max")
            .append(" / ").append(String.format(Locale.ROOT, "%.0f", r.achievedRate))
            .append(" | ").append(h.getTotalCount());
        for (final double p : PERCENTILES)
        {
            sb.append(" | ").append(us(h.getValueAtPercentile(p)));
        }
        sb.append(" | ").append(us(h.getMaxValue()))
            .append(" | ").append("all".equals(op) ? Long.toString(r.misses) : "")
            .append(" | ").append("all".equals(op) ? Long.toString(r.errors) : "")
            .append(" | ").append("all".equals(op) ? Long.toString(r.abandoned) : "").append(" |");
        return sb.toString();
    }

    static String us(final long ns)
    {
        final double us = ns / 1000.0;
        return us >= 100 ? String.format(Locale.ROOT, "%.0f µs", us) : String.format(Locale.ROOT, "%.1f µs", us);
    }

    /**
     * {@code a / b} of a percentile of two results, as text, e.g. {@code 0.31 (123 µs / 400 µs)}.
     */
    static String ratio(final Histogram a, final Histogram b, final double percentile)
    {
        if (a.getTotalCount() == 0 || b.getTotalCount() == 0)
        {
            return "n/a";
        }
        final long va = a.getValueAtPercentile(percentile);
        final long vb = b.getValueAtPercentile(percentile);
        return String.format(Locale.ROOT, "%.2f (%s / %s)", (double)va / vb, us(va), us(vb));
    }

    private static void writeHgrm(final File file, final Histogram histogram) throws IOException
    {
        try (PrintStream out = new PrintStream(new FileOutputStream(file), false, StandardCharsets.UTF_8))
        {
            histogram.outputPercentileDistribution(out, 5, 1000.0);
        }
    }
}
