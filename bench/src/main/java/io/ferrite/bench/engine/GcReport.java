package io.ferrite.bench.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Summarises and plots the GC pauses of a {@link GcBenchmark} run: reads {@code <store>.log} ({@code -Xlog:gc}) and
 * {@code <store>.out} (its console, for the load window) of each store in a directory, writes {@code summary.md}
 * (pauses within the load window: count, max, total, heap after) and {@code pauses.svg} (every pause in the window,
 * duration against time, log scale).
 * <p>
 * {@code java -cp ferrite-benchmarks.jar io.ferrite.bench.engine.GcReport perf-results/engine/gc ferrite chm caffeine}
 */
public final class GcReport
{
    private static final Pattern PAUSE = Pattern.compile(
        "\\[([0-9.]+)s\\].*GC\\(\\d+\\) (Pause .*?) (\\d+)M->(\\d+)M\\((\\d+)M\\) ([0-9.]+)ms");
    private static final Pattern WINDOW = Pattern.compile("GCWINDOW \\S+ ([0-9.]+) ([0-9.]+)");
    private static final String[] COLOURS = { "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e" };

    private GcReport()
    {
    }

    record Pause(double atS, String kind, long afterMb, double ms)
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path dir = Path.of(args[0]);
        final StringBuilder md = new StringBuilder();
        final StringBuilder whole = new StringBuilder();
        md.append("Load window (90/10 at the fixed rate):\n\n");
        md.append("| store | pauses in load window | max pause | total pause | max heap after GC | pause kinds |\n");
        md.append("|---|---|---|---|---|---|\n");
        whole.append("\nWhole run (filling the store, then the load):\n\n");
        whole.append("| store | pauses | max pause | total pause | max heap after GC |\n|---|---|---|---|---|\n");
        final List<String> names = new ArrayList<>();
        final List<List<Pause>> series = new ArrayList<>();
        final List<double[]> windows = new ArrayList<>();
        for (int i = 1; i < args.length; i++)
        {
            final String name = args[i];
            final double[] window = window(dir.resolve(name + ".out"));
            final List<Pause> pauses = new ArrayList<>();
            final List<Pause> all = new ArrayList<>();
            for (final String line : Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8))
            {
                final Matcher m = PAUSE.matcher(line);
                if (m.find())
                {
                    final double at = Double.parseDouble(m.group(1));
                    all.add(new Pause(at, m.group(2).trim(), Long.parseLong(m.group(4)),
                        Double.parseDouble(m.group(6))));
                    if (at >= window[0] && at <= window[1])
                    {
                        pauses.add(new Pause(at - window[0], m.group(2).trim(), Long.parseLong(m.group(4)),
                            Double.parseDouble(m.group(6))));
                    }
                }
            }
            double max = 0;
            double total = 0;
            long heapAfter = 0;
            final java.util.TreeSet<String> kinds = new java.util.TreeSet<>();
            for (final Pause p : pauses)
            {
                max = Math.max(max, p.ms());
                total += p.ms();
                heapAfter = Math.max(heapAfter, p.afterMb());
                kinds.add(p.kind());
            }
            md.append(String.format(Locale.ROOT, "| %s | %d | %.3f ms | %.1f ms | %d MB | %s |%n", name, pauses.size(),
                max, total, heapAfter, String.join(", ", kinds)));
            double allMax = 0;
            double allTotal = 0;
            long allHeap = 0;
            for (final Pause p : all)
            {
                allMax = Math.max(allMax, p.ms());
                allTotal += p.ms();
                allHeap = Math.max(allHeap, p.afterMb());
            }
            whole.append(String.format(Locale.ROOT, "| %s | %d | %.3f ms | %.1f ms | %d MB |%n", name, all.size(),
                allMax, allTotal, allHeap));
            names.add(name);
            series.add(pauses);
            windows.add(window);
        }
        md.append(whole);
        Files.writeString(dir.resolve("summary.md"), md.toString());
        Files.writeString(dir.resolve("pauses.svg"), svg(names, series, windows));
        System.out.print(md);
    }

    private static double[] window(final Path out) throws IOException
    {
        for (final String line : Files.readAllLines(out, StandardCharsets.UTF_8))
        {
            final Matcher m = WINDOW.matcher(line);
            if (m.find())
            {
                return new double[]{ Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)) };
            }
        }
        throw new IllegalStateException(out + " has no GCWINDOW line (the run did not finish)");
    }

    private static String svg(final List<String> names, final List<List<Pause>> series, final List<double[]> windows)
    {
        final int width = 900;
        final int height = 480;
        final int left = 80;
        final int right = 200;
        final int top = 50;
        final int bottom = 60;
        final int plotW = width - left - right;
        final int plotH = height - top - bottom;
        double maxS = 1;
        double maxMs = 1;
        for (int s = 0; s < series.size(); s++)
        {
            maxS = Math.max(maxS, windows.get(s)[1] - windows.get(s)[0]);
            for (final Pause p : series.get(s))
            {
                maxMs = Math.max(maxMs, p.ms());
            }
        }
        final double yLo = -2;
        final double yHi = Math.max(1, Math.ceil(Math.log10(maxMs)));
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", width, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"25\" font-size=\"15\">GC pauses under a 90/10 " +
            "get/put load (G1 defaults), each dot one pause</text>%n", left));
        for (int e = (int)yLo; e <= (int)yHi; e++)
        {
            final double y = top + plotH - plotH * (e - yLo) / (yHi - yLo);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>" +
                "%n<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n", left, y, left + plotW, y, left - 6,
                y + 4, e >= 0 ? String.valueOf((long)Math.pow(10, e)) : String.valueOf(Math.pow(10, e))));
        }
        for (int t = 0; t <= 6; t++)
        {
            final double x = left + plotW * t / 6.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f s</text>%n",
                x, top + plotH + 18, maxS * t / 6.0));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " +
            "stroke=\"#333\"/>%n", left, top, plotW, plotH));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time into the load " +
            "(s)</text>%n", left + plotW / 2, height - 15));
        for (int s = 0; s < series.size(); s++)
        {
            final String colour = COLOURS[s % COLOURS.length];
            for (final Pause p : series.get(s))
            {
                final double x = left + plotW * p.atS() / maxS;
                final double y = top + plotH - plotH * (Math.log10(Math.max(0.01, p.ms())) - yLo) / (yHi - yLo);
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y,
                    colour));
            }
            final int ly = top + 10 + 20 * s;
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/>%n<text x=\"%d\" " +
                "y=\"%d\">%s (%d pauses)</text>%n", left + plotW + 20, ly, colour, left + plotW + 32, ly + 4,
                names.get(s), series.get(s).size()));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }
}
