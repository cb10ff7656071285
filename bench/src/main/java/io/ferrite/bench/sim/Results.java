package io.ferrite.bench.sim;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Collects the hit ratios of every trace and prints them: a Markdown table per trace (policy by capacity), a
 * summary at each trace's main (middle) capacity with the mean over traces, and a CSV of everything. With more
 * than one key renaming per trace the tables show the mean, and the CSV also the lowest and highest ratio.
 */
final class Results
{
    private final List<String> names = new ArrayList<>();
    private final List<Trace> traces = new ArrayList<>();
    private final List<int[]> capacities = new ArrayList<>();
    private final List<double[][]> ratios = new ArrayList<>();
    private final List<double[][][]> versionRatios = new ArrayList<>();
    private final int versions;

    Results(final List<ReplayPolicy> policies, final int versions)
    {
        this.versions = versions;
        for (final ReplayPolicy policy : policies)
        {
            names.add(policy.name());
        }
    }

    List<String> names()
    {
        return names;
    }

    /**
     * @param ratios hit ratios indexed [policy][capacity][key renaming].
     */
    void add(final Trace trace, final int[] capacities, final double[][][] ratios)
    {
        this.traces.add(trace);
        this.capacities.add(capacities);
        this.ratios.add(mean(ratios));
        this.versionRatios.add(ratios);
    }

    /**
     * The mean over key renamings: [policy][capacity][renaming] to [policy][capacity].
     */
    static double[][] mean(final double[][][] ratios)
    {
        final double[][] mean = new double[ratios.length][];
        for (int p = 0; p < ratios.length; p++)
        {
            mean[p] = new double[ratios[p].length];
            for (int c = 0; c < ratios[p].length; c++)
            {
                double sum = 0;
                for (final double r : ratios[p][c])
                {
                    sum += r;
                }
                mean[p][c] = sum / ratios[p][c].length;
            }
        }
        return mean;
    }

    void print(final PrintStream out)
    {
        for (int t = 0; t < traces.size(); t++)
        {
            final Trace trace = traces.get(t);
            final int[] caps = capacities.get(t);
            out.printf(Locale.ROOT, "%n### %s (%,d requests, %,d distinct keys)%n%n| policy |", trace.name,
                trace.keys.length, trace.uniqueKeys);
            for (final int capacity : caps)
            {
                out.printf(Locale.ROOT, " %,d |", capacity);
            }
            out.printf("%n|---|");
            for (int c = 0; c < caps.length; c++)
            {
                out.print("---:|");
            }
            out.println();
            for (int p = 0; p < names.size(); p++)
            {
                out.printf("| %s |", names.get(p));
                for (int c = 0; c < caps.length; c++)
                {
                    out.printf(Locale.ROOT, " %.2f |", 100 * ratios.get(t)[p][c]);
                }
                out.println();
            }
        }

        out.printf("%n### Summary: hit ratio (%%) at each trace's main (middle) capacity%n%n| trace | capacity |");
        for (final String name : names)
        {
            out.printf(" %s |", name);
        }
        out.printf("%n|---|---:|");
        for (int p = 0; p < names.size(); p++)
        {
            out.print("---:|");
        }
        out.println();
        final double[] mainSum = new double[names.size()];
        final double[] allSum = new double[names.size()];
        int allCount = 0;
        for (int t = 0; t < traces.size(); t++)
        {
            final int[] caps = capacities.get(t);
            final int main = caps.length / 2;
            out.printf(Locale.ROOT, "| %s | %,d |", traces.get(t).name, caps[main]);
            for (int p = 0; p < names.size(); p++)
            {
                final double r = ratios.get(t)[p][main];
                mainSum[p] += r;
                for (int c = 0; c < caps.length; c++)
                {
                    allSum[p] += ratios.get(t)[p][c];
                }
                out.printf(Locale.ROOT, " %.2f |", 100 * r);
            }
            allCount += caps.length;
            out.println();
        }
        out.print("| **mean, main capacity** | |");
        for (int p = 0; p < names.size(); p++)
        {
            out.printf(Locale.ROOT, " **%.2f** |", 100 * mainSum[p] / traces.size());
        }
        out.printf("%n| **mean, all capacities** | |");
        for (int p = 0; p < names.size(); p++)
        {
            out.printf(Locale.ROOT, " **%.2f** |", 100 * allSum[p] / allCount);
        }
        out.println();
    }

    void csv(final PrintStream out)
    {
        out.println("trace,requests,distinct_keys,policy,capacity,hit_ratio,renamings,hit_ratio_min,hit_ratio_max");
        for (int t = 0; t < traces.size(); t++)
        {
            final Trace trace = traces.get(t);
            final int[] caps = capacities.get(t);
            for (int p = 0; p < names.size(); p++)
            {
                for (int c = 0; c < caps.length; c++)
                {
                    double min = 1;
                    double max = 0;
                    for (final double r : versionRatios.get(t)[p][c])
                    {
                        min = Math.min(min, r);
                        max = Math.max(max, r);
                    }
                    out.printf(Locale.ROOT, "%s,%d,%d,%s,%d,%.6f,%d,%.6f,%.6f%n", trace.name, trace.keys.length,
                        trace.uniqueKeys, names.get(p), caps[c], ratios.get(t)[p][c], versions, min, max);
                }
            }
        }
    }
}
