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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The trace-driven hit-ratio simulator: replays every trace under a directory ("get, and on a miss put") at a
 * list of capacities against Ferrite's engine with each of its policies, an exact LRU, Caffeine and Bélády's
 * optimal, then prints a table per trace and a summary, and optionally writes them with an SVG chart per trace.
 * <p>
 * Usage: {@code HitRatioSimulator [--traces DIR] [--out DIR] [--only NAME,...] [--policies NAME,...]
 * [--capacities N,...] [--scale F] [--rekey N] [--threads N] [--format lirs|u32|u64|address]} (traces default to
 * {@code ../shared/traces}, relative to the repository root), where a policy
 * name is an {@link EvictionPolicyType} constant (the engine), {@code exact-lru}, {@code caffeine} or {@code belady}.
 * Capacities are the same for every policy: unless given, five per trace, doubling, around {@code F} (default 1)
 * times one eighth of the trace's distinct keys ({@link #capacities(int, double)}); the middle one is the "main"
 * capacity of the summary.
 * <p>
 * {@code --rekey N} replays each trace N times, the original and N - 1 renamings of its keys by a bijection
 * ({@link Trace#rekeyed(int)}), and reports the mean hit ratio (and the spread in the CSV). Hash-based policies
 * (a count-min sketch, Caffeine's and the engine's alike) score differently on different key names of the same
 * access pattern, by more than a point on short traces; the mean over renamings measures the policy, not its luck
 * with one set of hash collisions. {@code --threads N} runs that many replays at once (each replay is
 * single-threaded and independent). Trace files are found under the traces directory by name ({@code .gz},
 * {@code .xz} or {@code .trace}) and decoded as {@link Trace} describes; {@code --format} imposes one encoding on all.
 */
public final class HitRatioSimulator
{
    /** The shared trace set, relative to the repository root (the simulator is run from there). */
    static final String DEFAULT_TRACES_DIR = "../shared/traces";

    private HitRatioSimulator()
    {
    }

    public static void main(final String[] args) throws IOException, InterruptedException, ExecutionException
    {
        File tracesDir = new File(DEFAULT_TRACES_DIR);
        Path out = null;
        List<String> only = null;
        List<String> policyNames = null;
        int[] fixedCapacities = null;
        double scale = 1;
        int versions = 1;
        int threads = 1;
        Trace.Format format = Trace.Format.AUTO;
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
                case "--scale":
                    scale = Double.parseDouble(args[++i]);
                    break;
                case "--rekey":
                    versions = Integer.parseInt(args[++i]);
                    break;
                case "--threads":
                    threads = Integer.parseInt(args[++i]);
                    break;
                case "--format":
                    format = Trace.Format.valueOf(args[++i].toUpperCase(Locale.ROOT));
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        final List<ReplayPolicy> policies = policies(policyNames);
        final List<File> files = traceFiles(tracesDir, only);
        if (files.isEmpty())
        {
            throw new IllegalArgumentException("no trace files under " + tracesDir.getAbsolutePath() +
                " (run from the repository root, or pass --traces DIR)");
        }

        if (scale <= 0 || versions < 1 || threads < 1)
        {
            throw new IllegalArgumentException("--scale must be > 0, --rekey and --threads >= 1");
        }

        final Results results = new Results(policies, versions);
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try
        {
            for (final File file : files)
            {
                final long start = System.nanoTime();
                final Trace trace = Trace.read(file, format);
                final int[] capacities =
                    null != fixedCapacities ? fixedCapacities : capacities(trace.uniqueKeys, scale);
                System.out.printf(Locale.ROOT, "%n%s: %,d requests, %,d distinct keys (read in %.1f s)%n",
                    trace.name, trace.keys.length, trace.uniqueKeys, (System.nanoTime() - start) / 1e9);
                final double[][][] ratios = replayAll(executor, trace, versions, policies, capacities);
                results.add(trace, capacities, ratios);
                if (null != out)
                {
                    Files.createDirectories(out);
                    SvgPlot.write(out.resolve(trace.name + ".svg"), "Hit ratio: " + trace.name + " (" +
                        String.format(Locale.ROOT, "%,d requests, %,d keys", trace.keys.length, trace.uniqueKeys) +
                        (versions > 1 ? ", mean of " + versions + " key renamings" : "") + ")",
                        capacities, results.names(), Results.mean(ratios));
                }
            }
        }
        finally
        {
            executor.shutdownNow();
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
     * Replay {@code trace} (and its renamings) with every policy at every capacity.
     *
     * @return hit ratios indexed [policy][capacity][version].
     */
    private static double[][][] replayAll(
        final ExecutorService executor,
        final Trace trace,
        final int versions,
        final List<ReplayPolicy> policies,
        final int[] capacities) throws InterruptedException, ExecutionException
    {
        final Trace[] renamed = new Trace[versions];
        for (int v = 0; v < versions; v++)
        {
            renamed[v] = trace.rekeyed(v);
        }
        final double[][][] ratios = new double[policies.size()][capacities.length][versions];
        for (int p = 0; p < policies.size(); p++)
        {
            final ReplayPolicy policy = policies.get(p);
            final long policyStart = System.nanoTime();
            final List<Future<Long>> hits = new ArrayList<>();
            for (final int capacity : capacities)
            {
                for (final Trace version : renamed)
                {
                    hits.add(executor.submit(() -> policy.replay(version, capacity)));
                }
            }
            for (int c = 0; c < capacities.length; c++)
            {
                for (int v = 0; v < versions; v++)
                {
                    ratios[p][c][v] = (double)hits.get(c * versions + v).get() / trace.keys.length;
                }
            }
            System.out.printf(Locale.ROOT, "  %-26s %s  (%.1f s)%n", policy.name(), row(Results.mean(ratios)[p]),
                (System.nanoTime() - policyStart) / 1e9);
        }
        return ratios;
    }

    /**
     * Five doubling capacities whose middle is {@code scale} times one eighth of the distinct keys, rounded to two
     * significant digits (at least 16 entries).
     */
    static int[] capacities(final int uniqueKeys, final double scale)
    {
        final int[] capacities = new int[5];
        for (int i = 0; i < capacities.length; i++)
        {
            capacities[i] = round2(Math.max(16, scale * uniqueKeys / 8.0 * Math.pow(2, i - 2)));
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
