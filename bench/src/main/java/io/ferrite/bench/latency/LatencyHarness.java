package io.ferrite.bench.latency;

import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The latency harness: Ferrite single node, Redis and a 3-member replicated Ferrite group, measured one after the
 * other in one run with the same request sequence (rate, GET/PUT mix, value size, key count), on loopback only.
 * <p>
 * For each target: start it (servers as child JVMs; Redis must already run), preload every key, run the open-loop
 * scenario(s) at the fixed rate (latency from the intended send time, so corrected for coordinated omission), then
 * the closed-loop saturation run, then clean up and stop it before the next target starts (so idle servers do not
 * take CPU from the one measured). Writes {@code .hgrm} files, {@code summary.md} and SVG percentile plots to the
 * output directory. Bounded: every run has a fixed number of requests and a drain deadline.
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp bench/target/ferrite-benchmarks.jar \
 *     io.ferrite.bench.latency.LatencyHarness --rate=10000 --duration=20
 * </pre>
 */
public final class LatencyHarness
{
    private LatencyHarness()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final HarnessOptions options;
        try
        {
            options = new HarnessOptions(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        final File out = new File(options.string("out"));
        if (!out.isDirectory() && !out.mkdirs())
        {
            throw new IOException("cannot create " + out);
        }
        final File work = Files.createTempDirectory("ferrite-latency-").toFile();
        final File logs = new File(out, "logs");
        if (!logs.isDirectory() && !logs.mkdirs())
        {
            throw new IOException("cannot create " + logs);
        }
        final Workload workload = new Workload(options.string("key-prefix"), options.integer("keys"),
            options.integer("value-size"), options.decimal("get-ratio"), options.longValue("seed"));
        final Report report = new Report(out);
        final List<String> targetNotes = new ArrayList<>();
        final String started = Instant.now().toString();
        boolean failed = false;
        try
        {
            for (final String name : options.list("targets"))
            {
                try (LoadTarget target = newTarget(name, options, work, logs))
                {
                    failed |= !runTarget(target, workload, options, report, targetNotes);
                }
            }
        }
        finally
        {
            IoUtil.delete(work, true);
        }
        report.writeHistograms();
        writePlots(report, options);
        final String summary = summary(options, report, targetNotes, started);
        Files.writeString(new File(out, "summary.md").toPath(), summary, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(summary);
        System.exit(failed ? 1 : 0);
    }

    private static LoadTarget newTarget(
        final String name, final HarnessOptions options, final File work, final File logs)
    {
        switch (name)
        {
            case "ferrite":
                return new FerriteTarget(options.integer("node-port"), options.longValue("capacity-bytes"), logs,
                    options.childJvmFlags());
            case "redis":
            {
                final String[] hostPort = options.string("redis").split(":");
                return new RedisTarget(hostPort[0], Integer.parseInt(hostPort[1]));
            }
            case "replicated":
                return new ReplicatedTarget(options.integer("port-base"), options.longValue("capacity-bytes"), logs,
                    new File(work, "replicated"), options.childJvmFlags());
            default:
                throw new IllegalArgumentException("unknown target '" + name + "': ferrite, redis or replicated");
        }
    }

    private static boolean runTarget(
        final LoadTarget target,
        final Workload workload,
        final HarnessOptions options,
        final Report report,
        final List<String> notes) throws Exception
    {
        final long warmupNs = TimeUnit.SECONDS.toNanos(options.longValue("warmup"));
        final long durationNs = TimeUnit.SECONDS.toNanos(options.longValue("duration"));
        final double rate = options.decimal("rate");
        final ListenerSwitch listeners = new ListenerSwitch();
        final MachineStats beforeStart = MachineStats.sample();
        final long t0 = System.nanoTime();
        try
        {
            target.start(workload, listeners);
            final long t1 = System.nanoTime();
            target.preload();
            final long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "%s: started in %.1f s, %d keys preloaded in %.1f s%n", target.name(),
                (t1 - t0) / 1e9, workload.keyCount(), (t2 - t1) / 1e9);
            for (final String mode : options.list("modes"))
            {
                final MachineStats before = MachineStats.sample();
                final double[] cpuBefore = cpu(target);
                final String stateBefore = target.state();
                final RunResult result;
                if ("async".equals(mode))
                {
                    result = LoadRunner.openAsync("open-async", target, listeners, workload, rate, warmupNs,
                        durationNs, options.integer("max-in-flight"));
                }
                else if ("sync".equals(mode))
                {
                    result = LoadRunner.openSync("open-sync", target, workload, rate, warmupNs, durationNs,
                        options.integer("sync-threads"));
                }
                else if ("blocking".equals(mode))
                {
                    result = LoadRunner.closedSync("closed-sync", target, workload, warmupNs, durationNs,
                        options.integer("sync-threads"));
                }
                else
                {
                    throw new IllegalArgumentException("unknown mode '" + mode + "': async, sync or blocking");
                }
                annotate(result, target, before, cpuBefore);
                result.state = stateBefore.isEmpty() ? "" : "before: " + stateBefore + ", after: " + target.state();
                report.add(result);
            }
            final int window = options.integer("saturation-window");
            if (window > 0)
            {
                final MachineStats before = MachineStats.sample();
                final double[] cpuBefore = cpu(target);
                final String stateBefore = target.state();
                final RunResult result = LoadRunner.closedLoop("saturation", target, listeners, workload, window,
                    TimeUnit.SECONDS.toNanos(options.longValue("saturation-warmup")),
                    TimeUnit.SECONDS.toNanos(options.longValue("saturation-duration")));
                annotate(result, target, before, cpuBefore);
                result.state = stateBefore.isEmpty() ? "" : "before: " + stateBefore + ", after: " + target.state();
                report.add(result);
            }
            target.cleanup();
            notes.add("- **" + target.name() + "**: " + target.description() + extra(target));
            return true;
        }
        catch (final Exception | Error ex)
        {
            System.err.println("latency: target " + target.name() + " failed: " + ex);
            ex.printStackTrace(System.err);
            notes.add("- **" + target.name() + "**: FAILED: " + ex);
            try
            {
                target.cleanup();
            }
            catch (final Exception cleanupEx)
            {
                System.err.println("latency: cleanup of " + target.name() + " failed: " + cleanupEx);
            }
            return false;
        }
    }

    private static String extra(final LoadTarget target)
    {
        return target.state().isEmpty() ? "" : " At the end, " + target.state() + ".";
    }

    private static void annotate(
        final RunResult result,
        final LoadTarget target,
        final MachineStats before,
        final double[] cpuBefore)
    {
        final MachineStats after = MachineStats.sample();
        final double[] cpuAfter = cpu(target);
        final double seconds = (System.nanoTime() - (long)cpuBefore[2]) / 1e9;
        result.cpu = String.format(Locale.ROOT, "servers %.0f%%, harness JVM %.0f%%",
            100 * (cpuAfter[0] - cpuBefore[0]) / seconds, 100 * (cpuAfter[1] - cpuBefore[1]) / seconds);
        result.description = target.description();
        result.loadBefore = before.loadAverage();
        result.loadAfter = after.loadAverage() + ", machine CPU idle during the run " + after.idleSince(before);
    }

    /**
     * CPU seconds of the target's servers and of this JVM, and the time of the sample.
     */
    private static double[] cpu(final LoadTarget target)
    {
        return new double[]{ CpuMeter.cpuSeconds(target.serverPids()),
            CpuMeter.cpuSeconds(new long[]{ ProcessHandle.current().pid() }), System.nanoTime() };
    }

    private static void writePlots(final Report report, final HarnessOptions options) throws IOException
    {
        final String params = options.string("rate") + " req/s, " + (int)(100 * options.decimal("get-ratio")) +
            "% GET, " + options.string("value-size") + " B values, " + options.string("keys") + " keys";
        for (final String scenario : new String[]{ "open-async", "open-sync" })
        {
            if (null == report.find(scenario, "redis") && null == report.find(scenario, "ferrite") &&
                null == report.find(scenario, "replicated"))
            {
                continue;
            }
            report.writePlot(scenario + "-percentiles.svg", "Latency by percentile, " + scenario + ", " + params,
                scenario, new String[][]{
                    { "ferrite", "all", "Ferrite single node, all" },
                    { "redis", "all", "Redis, all" },
                    { "redis", "get", "Redis, GET" },
                    { "replicated", "put", "Ferrite replicated, PUT" },
                    { "replicated", "get", "Ferrite replicated, GET" },
                });
        }
    }

    private static String summary(
        final HarnessOptions options, final Report report, final List<String> notes, final String started)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("# Latency harness run\n\n");
        sb.append("Started ").append(started).append(", finished ").append(Instant.now()).append(".\n\n");
        sb.append("Command line arguments: `").append(options.commandLine()).append("`\n\n");
        sb.append("Harness JVM: ").append(System.getProperty("java.vm.name")).append(' ')
            .append(System.getProperty("java.version")).append(", flags `")
            .append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append("`; ")
            .append(Runtime.getRuntime().availableProcessors()).append(" processors, ")
            .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append(".\n\n");
        sb.append("Parameters:");
        for (final Map.Entry<String, String> e : options.all().entrySet())
        {
            sb.append(" `").append(e.getKey()).append('=').append(e.getValue()).append('`');
        }
        sb.append("\n\n## Targets and idle strategies\n\n");
        for (final String note : notes)
        {
            sb.append(note).append('\n');
        }
        sb.append("\n## Results (latency from the intended send time in open loop)\n\n").append(Report.header())
            .append('\n');
        for (final RunResult r : report.results())
        {
            sb.append(Report.row(r, "all")).append('\n');
            sb.append(Report.row(r, "get")).append('\n');
            sb.append(Report.row(r, "put")).append('\n');
        }
        sb.append("\n## Aims\n\n");
        for (final String scenario : new String[]{ "open-async", "open-sync" })
        {
            final RunResult ferrite = report.find(scenario, "ferrite");
            final RunResult redis = report.find(scenario, "redis");
            final RunResult replicated = report.find(scenario, "replicated");
            if (null != ferrite && null != redis)
            {
                sb.append("- ").append(scenario).append(", issue 3: Ferrite p99.9 / Redis p99.9 = ")
                    .append(Report.ratio(ferrite.all, redis.all, 99.9)).append(" (aim < 0.25); p99 ratio ")
                    .append(Report.ratio(ferrite.all, redis.all, 99)).append("; p50 ratio ")
                    .append(Report.ratio(ferrite.all, redis.all, 50)).append('\n');
            }
            if (null != replicated && null != redis)
            {
                sb.append("- ").append(scenario).append(", issue 4: replicated PUT p99 / Redis GET p99 = ")
                    .append(Report.ratio(replicated.put, redis.get, 99)).append(" (aim < 1)\n");
            }
        }
        final RunResult satRedis = report.find("saturation", "redis");
        for (final String name : new String[]{ "ferrite", "replicated" })
        {
            final RunResult sat = report.find("saturation", name);
            if (null != sat && null != satRedis)
            {
                sb.append(String.format(Locale.ROOT, "- saturation throughput %s / redis = %.2f (%.0f / %.0f req/s)%n",
                    name, sat.achievedRate / satRedis.achievedRate, sat.achievedRate, satRedis.achievedRate));
            }
        }
        sb.append("\n## Load on the machine and the generator's own lateness\n\n");
        sb.append("| scenario | target | load avg before | after | CPU used, warm-up included (100% = 1 core) ")
            .append("| send lag p50 | p99 | max | errors incl. warm-up | state |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (final RunResult r : report.results())
        {
            sb.append("| ").append(r.scenario).append(" | ").append(r.target).append(" | ").append(r.loadBefore)
                .append(" | ").append(r.loadAfter).append(" | ").append(r.cpu).append(" | ");
            if (r.sendLag.getTotalCount() > 0)
            {
                sb.append(Report.us(r.sendLag.getValueAtPercentile(50))).append(" | ")
                    .append(Report.us(r.sendLag.getValueAtPercentile(99))).append(" | ")
                    .append(Report.us(r.sendLag.getMaxValue()));
            }
            else
            {
                sb.append("n/a | n/a | n/a");
            }
            sb.append(" | ").append(r.errorsTotal).append(" | ").append(r.state).append(" |\n");
        }
        sb.append("\nSaturation latencies are send-to-completion in a closed loop, recorded with " +
            "recordValueWithExpectedInterval (expected interval = mean latency of its warm-up):");
        for (final RunResult r : report.results())
        {
            if ("saturation".equals(r.scenario))
            {
                sb.append(' ').append(r.target).append(' ').append(Report.us(r.expectedIntervalNs)).append(';');
            }
        }
        sb.append('\n');
        return sb.toString();
    }
}
