package io.ferrite.bench.sim;

import io.ferrite.engine.EvictionPolicyType;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The trace-driven hit-ratio simulator: replays every trace under a directory ("get, and on a miss put") at a
 * list of capacities against Ferrite's engine with each of its policies, an exact LRU, Caffeine and Bélády's
 * optimal, then prints a table per trace and a summary, and optionally writes them with an SVG chart per trace.
 * <p>
 * Usage: {@code HitRatioSimulator [--traces DIR] [--out DIR] [--only NAME,...] [--policies NAME,...]
 * [--capacities N,...]}, where a policy name is an {@link EvictionPolicyType} constant (the engine),
 * {@code exact-lru}, {@code caffeine} or {@code belady}. Capacities are the same for every policy: unless given,
 * five per trace, doubling, around one eighth of the trace's distinct keys ({@link #capacities(int)}); the middle
 * one is the "main" capacity of the summary.
 */
public final class HitRatioSimulator
{
    private HitRatioSimulator()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        File tracesDir = new File("/work/shared/traces");
        Path out = null;
        List<String> only = null;
        List<String> policyNames = null;
        int[] fixedCapacities = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--traces":
                    tracesDir = new File(args[++i]);
                    break;
                case "--out":
                    out = Path.of(args[++i]);
                    break;
                case "--only":
                    only = Arrays.asList(args[++i].split(","));
                    break;
                case "--policies":
                    policyNames = Arrays.asList(args[++i].split(","));
                    break;
                case "--capacities":
                    fixedCapacities = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        final List<ReplayPolicy> policies = policies(policyNames);
        final List<File> files = traceFiles(tracesDir, only);
        if (files.isEmpty())
        {
            throw new IllegalArgumentException("no trace files under " + tracesDir);
        }

        final Results results = new Results(policies);
        for (final File file : files)
        {
            final long start = System.nanoTime();
            final Trace trace = Trace.read(file);
            final int[] capacities = null != fixedCapacities ? fixedCapacities : capacities(trace.uniqueKeys);
            System.out.printf(Locale.ROOT, "%n%s: %,d requests, %,d distinct keys (read in %.1f s)%n",
                trace.name, trace.keys.length, trace.uniqueKeys, (System.nanoTime() - start) / 1e9);
            final double[][] ratios = new double[policies.size()][capacities.length];
            for (int p = 0; p < policies.size(); p++)
            {
                final ReplayPolicy policy = policies.get(p);
                final long policyStart = System.nanoTime();
                for (int c = 0; c < capacities.length; c++)
                {
                    ratios[p][c] = (double)policy.replay(trace, capacities[c]) / trace.keys.length;
                }
                System.out.printf(Locale.ROOT, "  %-26s %s  (%.1f s)%n", policy.name(), row(ratios[p]),
                    (System.nanoTime() - policyStart) / 1e9);
            }
            results.add(trace, capacities, ratios);
            if (null != out)
            {
                Files.createDirectories(out);
                SvgPlot.write(out.resolve(trace.name + ".svg"), "Hit ratio: " + trace.name + " (" +
                    String.format(Locale.ROOT, "%,d requests, %,d keys", trace.keys.length, trace.uniqueKeys) + ")",
                    capacities, results.names(), ratios);
            }
        }
        results.print(System.out);
        if (null != out)
        {
            try (PrintStream file = new PrintStream(out.resolve("results.md").toFile(), StandardCharsets.UTF_8))
            {
                results.print(file);
            }
            try (PrintStream file = new PrintStream(out.resolve("results.csv").toFile(), StandardCharsets.UTF_8))
            {
                results.csv(file);
            }
        }
    }

    /**
     * Five doubling capacities whose middle is one eighth of the distinct keys, rounded to two significant digits
     * (at least 16 entries).
     */
    static int[] capacities(final int uniqueKeys)
    {
        final int[] capacities = new int[5];
        for (int i = 0; i < capacities.length; i++)
        {
            capacities[i] = round2(Math.max(16, uniqueKeys / 8.0 * Math.pow(2, i - 2)));
        }
        return capacities;
    }

    private static int round2(final double value)
    {
        final double scale = Math.pow(10, Math.floor(Math.log10(value)) - 1);
        return (int)(Math.round(value / scale) * scale);
    }

    private static List<ReplayPolicy> policies(final List<String> names)
    {
        final List<String> selected = null != names ? names : List.of(
            "LRU", "LFU", "MFU", "WINDOW_TINY_LFU", "exact-lru", "caffeine", "belady");
        final List<ReplayPolicy> policies = new ArrayList<>();
        for (final String name : selected)
        {
            switch (name)
            {
                case "exact-lru":
                    policies.add(new ExactLruReplay());
                    break;
                case "caffeine":
                    policies.add(new CaffeineReplay());
                    break;
                case "belady":
                    policies.add(new BeladyReplay());
                    break;
                default:
                    policies.add(new EngineReplay(EvictionPolicyType.valueOf(name)));
                    break;
            }
        }
        return policies;
    }

    private static List<File> traceFiles(final File dir, final List<String> only)
    {
        final List<File> files = new ArrayList<>();
        collect(dir, files);
        files.removeIf(f -> null != only && !only.contains(Trace.nameOf(f)));
        files.sort((a, b) -> Trace.nameOf(a).compareTo(Trace.nameOf(b)));
        return files;
    }

    private static void collect(final File dir, final List<File> files)
    {
        final File[] children = dir.listFiles();
        if (null == children)
        {
            return;
        }
        for (final File child : children)
        {
            if (child.isDirectory())
            {
                collect(child, files);
            }
            else if (Trace.isTrace(child))
            {
                files.add(child);
            }
        }
    }

    static String row(final double[] ratios)
    {
        final StringBuilder builder = new StringBuilder();
        for (final double r : ratios)
        {
            builder.append(String.format(Locale.ROOT, " %6.2f", 100 * r));
        }
        return builder.toString();
    }
}
