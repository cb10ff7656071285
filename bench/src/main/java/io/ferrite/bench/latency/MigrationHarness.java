package io.ferrite.bench.latency;

import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteClient;
import io.ferrite.codec.PartitionHash;
import io.ferrite.replication.ClusterAdmin;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.MoveStatus;
import io.ferrite.replication.PartitionMap;
import io.ferrite.replication.PartitionMover;
import io.ferrite.replication.PlanStatus;
import io.ferrite.replication.PlannedMove;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Partition migration under load on this machine: a partitioned cluster of {@code groups} replica groups of 3
 * members (3 member JVMs, {@link MemberMain}, each a member of every group), preloaded with {@code keys} entries and
 * driven open loop by one {@link FerriteClient} (cluster seeds, client defaults) while partitions move between
 * groups with a {@link PartitionMover}, as {@code ferrite rebalance apply} does.
 * <p>
 * Phases, each recorded on its own: {@code baseline} (foreground load, no move); one move phase per throttle of
 * {@code --throttles} (foreground load while {@code --moves} partitions move, alternately from group 0 to 1 and
 * back; latencies of requests intended while the move runs); {@code idle move} (unthrottled, no foreground load:
 * the copy rate alone); {@code saturation} (closed loop, {@code --saturation-window} requests in flight: the
 * cluster's aggregate throughput). Foreground latency is completion minus intended send time, so a stall at a
 * cut-over is counted in full for every request scheduled behind it. Writes {@code OUT/migration.md}.
 * <p>
 * {@code MigrationHarness --out=DIR [--groups=2] [--keys=500000] [--throttles=16,0] ...}; {@code --help} lists all.
 */
public final class MigrationHarness
{
    private static final String[][] DEFAULTS = {
        { "out", "perf-results/partitioning/run", "output directory" },
        { "groups", "2", "replica groups (1 skips the move phases)" },
        { "partitions", "271", "partitions of the cluster" },
        { "keys", "500000", "entries preloaded (keys drawn uniformly by the foreground load)" },
        { "value-size", "100", "value size in bytes" },
        { "rate", "2000", "foreground requests per second (open loop, one sender, async)" },
        { "get-ratio", "0.9", "share of GETs in the foreground load; the rest are PUTs" },
        { "baseline", "20", "seconds of the baseline phase (after 5 s of warm-up)" },
        { "moves", "64", "partitions moved per move phase" },
        { "throttles", "16,0", "MiB/s of each move phase with foreground load (0: unthrottled; empty: none)" },
        { "batch-entries", "256", "entries per copied batch (the CLI's default)" },
        { "saturation-window", "64", "closed loop: requests in flight (0 skips saturation)" },
        { "saturation", "10", "seconds of the saturation phase (after 3 s of warm-up)" },
        { "max-in-flight", "10000", "open loop: most requests outstanding before the sender waits" },
        { "port-base", "27000", "first port of the cluster" },
        { "capacity-bytes", "268435456", "store capacity of each group on each member" },
        { "child-jvm-flags", "-Xms256m,-Xmx256m,-XX:+UseSerialGC", "extra flags of the member JVMs (comma separated)" },
        { "seed", "42", "seed of the request sequence" },
    };
    private static final int MEMBERS = 3;
    private static final long MAX_NS = TimeUnit.SECONDS.toNanos(60);

    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<ChildJvm> members = new ArrayList<>();
    private final List<PhaseResult> phases = new ArrayList<>();
    private final List<MoveResult> moves = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final AtomicLong inFlight = new AtomicLong();
    private Workload workload;
    private FerriteClient client;
    private ClusterAdmin admin;
    private volatile Phase phase;
    private volatile boolean sending;
    private String saturation = "not run";

    private MigrationHarness(final String[] args)
    {
        for (final String[] d : DEFAULTS)
        {
            options.put(d[0], d[1]);
        }
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0 || !options.containsKey(arg.substring(2, eq)))
            {
                throw new IllegalArgumentException(("--help".equals(arg) ? "" : "unknown argument '" + arg + "'\n") +
                    usage());
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
    }

    public static void main(final String[] args) throws Exception
    {
        final MigrationHarness harness;
        try
        {
            harness = new MigrationHarness(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        harness.run(String.join(" ", args));
    }

    private static String usage()
    {
        final StringBuilder sb = new StringBuilder("usage: MigrationHarness [--option=value ...]\n");
        for (final String[] d : DEFAULTS)
        {
            sb.append(String.format(Locale.ROOT, "  --%-18s %s (default '%s')%n", d[0], d[2], d[1]));
        }
        return sb.toString();
    }

    private int integer(final String name)
    {
        return Integer.parseInt(options.get(name));
    }

    private void run(final String commandLine) throws Exception
    {
        final File out = new File(options.get("out"));
        final File logDir = new File(out, "logs");
        IoUtil.ensureDirectoryExists(logDir, "logs");
        final File dataDir = Files.createTempDirectory("ferrite-migration-").toFile();
        final String uptimeBefore = uptime();
        final MachineStats machineBefore = MachineStats.sample();
        final int groups = integer("groups");
        final int partitions = integer("partitions");
        workload = new Workload("m:", integer("keys"), integer("value-size"),
            Double.parseDouble(options.get("get-ratio")), Long.parseLong(options.get("seed")));
        try
        {
            startCluster(logDir, dataDir, groups, partitions);
            final Thread sender = new Thread(this::sendOpenLoop, "migration-sender");
            preload();
            sending = true;
            sender.start();
            phase = new Phase("warm-up");
            awaitNs(TimeUnit.SECONDS.toNanos(5));
            measure(new Phase("baseline"), true, () -> awaitNs(TimeUnit.SECONDS.toNanos(integer("baseline"))));
            if (groups > 1)
            {
                int from = 0;
                for (final String throttle : options.get("throttles").split(","))
                {
                    if (!throttle.isBlank())
                    {
                        final double mib = Double.parseDouble(throttle.trim());
                        final String name = 0 == mib ? "move, unthrottled" : "move, " + throttle.trim() + " MiB/s";
                        final int source = from;
                        final Phase measured = new Phase(name, integer("partitions"));
                        final List<long[]> moveEvents = new ArrayList<>();
                        final long phaseStart = System.nanoTime();
                        measure(measured, true, () -> move(name, source, 1 - source, mib, moveEvents));
                        attributeSlowRequests(measured, moveEvents, phaseStart);
                        from = 1 - from;
                    }
                }
                final int source = from;
                measure(new Phase("idle move (no foreground)"), false,
                    () -> move("idle move, unthrottled, no foreground", source, 1 - source, 0, new ArrayList<>()));
            }
            sending = false;
            sender.join(TimeUnit.SECONDS.toMillis(30));
            awaitQuiet();
            saturation = saturate();
        }
        finally
        {
            sending = false;
            CloseHelper.quietClose(admin);
            CloseHelper.quietClose(client);
            for (final ChildJvm member : members)
            {
                CloseHelper.quietClose(member);
            }
            IoUtil.delete(dataDir, true);
        }
        final String report = report(commandLine, uptimeBefore, uptime(), machineBefore, MachineStats.sample());
        Files.writeString(new File(out, "migration.md").toPath(), report, StandardCharsets.UTF_8);
        System.out.println(report);
    }

    private void startCluster(final File logDir, final File dataDir, final int groups, final int partitions)
        throws Exception
    {
        final int portBase = integer("port-base");
        final List<String> flags = new ArrayList<>(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
        for (final String flag : options.get("child-jvm-flags").split(","))
        {
            if (!flag.isBlank())
            {
                flags.add(flag.trim());
            }
        }
        for (int m = 0; m < MEMBERS; m++)
        {
            members.add(ChildJvm.start("ferrite-member-" + m, logDir, flags, MemberMain.class.getName(), List.of(
                Integer.toString(m), Integer.toString(portBase), new File(dataDir, "member-" + m).getPath(),
                options.get("capacity-bytes"), Integer.toString(groups), Integer.toString(partitions)),
                MemberMain.READY, 60_000));
        }
        final GroupTopology topology = GroupTopology.local(MEMBERS, portBase);
        final String[] seeds = new String[groups];
        for (int g = 0; g < groups; g++)
        {
            seeds[g] = topology.ingressEndpoints(g);
        }
        final long deadline = System.nanoTime() + MAX_NS;
        while (null == client)
        {
            try
            {
                client = FerriteClient.connect(
                    new ClientContext().cluster(seeds).requestTimeout(Duration.ofSeconds(20)));
            }
            catch (final RuntimeException ex)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw ex;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }
        admin = new ClusterAdmin(seeds, null, TimeUnit.SECONDS.toNanos(20));
    }

    private void preload()
    {
        final long start = System.nanoTime();
        final List<CompletableFuture<?>> batch = new ArrayList<>(256);
        long retried = 0;
        for (int i = 0; i < workload.keyCount(); i++)
        {
            batch.add(client.putAsync(workload.key(i), workload.value()));
            if (batch.size() == 256 || i == workload.keyCount() - 1)
            {
                for (int b = 0; b < batch.size(); b++)
                {
                    if (!batch.get(b).handle((ok, error) -> null == error).join())
                    {
                        // a timeout during an election: put it again (a put is idempotent)
                        client.put(workload.key(i - batch.size() + 1 + b), workload.value());
                        retried++;
                    }
                }
                batch.clear();
            }
        }
        notes.add(String.format(Locale.ROOT, "Preloaded %,d entries in %.1f s (%d put again after a timeout).",
            workload.keyCount(), (System.nanoTime() - start) / 1e9, retried));
    }

    /**
     * One sender thread, open loop: request {@code i} is intended at {@code start + i / rate}, sent when that time
     * has come, and recorded in the phase that was current at its intended time.
     */
    private void sendOpenLoop()
    {
        final double periodNs = 1e9 / Double.parseDouble(options.get("rate"));
        final long maxInFlight = integer("max-in-flight");
        final long start = System.nanoTime();
        for (long i = 0; sending; i++)
        {
            final long intended = start + (long)(i * periodNs);
            Pacer.waitUntil(intended);
            int idle = 0;
            while (inFlight.get() >= maxInFlight && sending)
            {
                Pacer.idle(idle++);
            }
            final Phase current = phase;
            if (null == current)
            {
                continue;
            }
            inFlight.incrementAndGet();
            current.sent.incrementAndGet();
            final int op = workload.op(i);
            final byte[] key = workload.key(workload.keyIndex(i));
            final CompletableFuture<?> future = LoadTarget.GET == op ? client.getAsync(key) :
                client.putAsync(key, workload.value());
            future.whenComplete((result, error) ->
            {
                inFlight.decrementAndGet();
                current.record(op, intended, error, key);
            });
        }
    }

    /**
     * Where the slow requests of a move phase fall: in which move (by intended send time), in its copy or its
     * cut-over (freeze to done), in the moving partition or not. Written to the report as a note.
     */
    private void attributeSlowRequests(final Phase measured, final List<long[]> moveEvents, final long phaseStartNs)
    {
        final int slow = Math.min(measured.slowCount.get(), Phase.SLOW_CAPACITY);
        int inCopy = 0;
        int inCutover = 0;
        int inMovingPartition = 0;
        int outside = 0;
        final long[] sinceStartMs = new long[7];
        final long[] bounds = { 5, 10, 20, 50, 100, 200, Long.MAX_VALUE };
        for (int i = 0; i < slow; i++)
        {
            final long intended = measured.slowIntended[i];
            long moveStart = phaseStartNs;
            long[] move = null;
            for (final long[] event : moveEvents)
            {
                if (intended <= event[0])
                {
                    move = event;
                    break;
                }
                moveStart = event[0];
            }
            if (null == move)
            {
                outside++;
                continue;
            }
            final long freeze = move[1] >= 0 ? move[0] - move[1] : move[0];
            if (intended >= freeze)
            {
                inCutover++;
            }
            else
            {
                inCopy++;
            }
            if (measured.slowPartition[i] == (int)move[2])
            {
                inMovingPartition++;
            }
            final long ms = (intended - moveStart) / 1_000_000;
            for (int b = 0; b < bounds.length; b++)
            {
                if (ms < bounds[b])
                {
                    sinceStartMs[b]++;
                    break;
                }
            }
        }
        long moveNsTotal = 0;
        long cutoverNsTotal = 0;
        long previous = phaseStartNs;
        for (final long[] event : moveEvents)
        {
            moveNsTotal += event[0] - previous;
            cutoverNsTotal += Math.max(0, event[1]);
            previous = event[0];
        }
        notes.add(String.format(Locale.ROOT, "Slow requests (over %d ms from their intended send time) of phase " +
            "'%s', %,d of %,d (attributed by intended send time, one partition moving at a time): in a move's copy " +
            "%,d, in " +
            "its cut-over (freeze to done, %.1f%% of the moves' time) %,d, of the moving partition %,d, after the " +
            "last move %,d; by time since their move began: <5 ms %d, 5-10 %d, 10-20 %d, 20-50 %d, 50-100 %d, " +
            "100-200 %d, more %d (moves took %.0f ms each on average).",
            Phase.SLOW_NS / 1_000_000, measured.name, measured.slowCount.get(), measured.sent.get(),
            inCopy, 100.0 * cutoverNsTotal / Math.max(1, moveNsTotal), inCutover, inMovingPartition, outside,
            sinceStartMs[0], sinceStartMs[1], sinceStartMs[2], sinceStartMs[3], sinceStartMs[4], sinceStartMs[5],
            sinceStartMs[6], moveNsTotal / 1e6 / Math.max(1, moveEvents.size())));
    }

    /**
     * Run {@code body} as phase {@code measured}: with the foreground load recorded in it, or with no foreground
     * load at all; CPU of the members and of this process is measured over the phase.
     */
    private void measure(final Phase measured, final boolean foreground, final PhaseBody body) throws Exception
    {
        if (!foreground)
        {
            phase = null;
            awaitQuiet();
        }
        final long[] pids = pids();
        final double cpuBefore = CpuMeter.cpuSeconds(pids);
        final double clientCpuBefore = CpuMeter.cpuSeconds(new long[]{ ProcessHandle.current().pid() });
        final long start = System.nanoTime();
        if (foreground)
        {
            phase = measured;
        }
        body.run();
        final long end = System.nanoTime();
        phase = new Phase("between phases");
        awaitQuiet();
        final double seconds = (end - start) / 1e9;
        phases.add(new PhaseResult(measured, seconds, (CpuMeter.cpuSeconds(pids) - cpuBefore) / seconds,
            (CpuMeter.cpuSeconds(new long[]{ ProcessHandle.current().pid() }) - clientCpuBefore) / seconds));
    }

    /**
     * @param events filled with one {done time (ns), cut-over pause (ns, -1 if unknown), partition} per move.
     */
    private void move(final String name, final int from, final int to, final double mib, final List<long[]> events)
    {
        final PartitionMap map = admin.partitionMap();
        final List<PlannedMove> plan = new ArrayList<>();
        for (int p = 0; p < map.partitionCount() && plan.size() < integer("moves"); p++)
        {
            if (map.owner(p) == from)
            {
                plan.add(new PlannedMove(p, from, to));
            }
        }
        admin.submitPlan(plan);
        final List<Long> pauses = new ArrayList<>();
        final long start = System.nanoTime();
        final PlanStatus done = new PartitionMover(admin, (long)(mib * 1024 * 1024), integer("batch-entries"),
            256 * 1024, new PartitionMover.ProgressListener()
            {
                public void onProgress(final MoveStatus move, final long queued, final long elapsedNs)
                {
                }

                public void onDone(final MoveStatus move, final long pauseNs)
                {
                    events.add(new long[]{ System.nanoTime(), pauseNs, move.partition() });
                    if (pauseNs >= 0)
                    {
                        pauses.add(pauseNs);
                    }
                }
            }).apply();
        final double seconds = (System.nanoTime() - start) / 1e9;
        long entries = 0;
        long bytes = 0;
        int finished = 0;
        for (final MoveStatus move : done.moves())
        {
            entries += move.entries();
            bytes += move.bytes();
            finished += "DONE".equals(move.state()) ? 1 : 0;
        }
        moves.add(new MoveResult(name, plan.size(), finished, entries, bytes, seconds, pauses));
    }

    private String saturate()
    {
        final int window = integer("saturation-window");
        if (window <= 0)
        {
            return "not run";
        }
        final AtomicLong completed = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong outstanding = new AtomicLong();
        final long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        final long end = warmupEnd + TimeUnit.SECONDS.toNanos(integer("saturation"));
        final long[] pids = pids();
        double cpuBefore = 0;
        long base = -1;
        long i = 0;
        int idle = 0;
        while (System.nanoTime() - end < 0)
        {
            if (base < 0 && System.nanoTime() - warmupEnd >= 0)
            {
                base = completed.get();
                cpuBefore = CpuMeter.cpuSeconds(pids);
            }
            if (outstanding.get() >= window)
            {
                Pacer.idle(idle++);
                continue;
            }
            idle = 0;
            outstanding.incrementAndGet();
            final int op = workload.op(i);
            final byte[] key = workload.key(workload.keyIndex(i++));
            final CompletableFuture<?> future = LoadTarget.GET == op ? client.getAsync(key) :
                client.putAsync(key, workload.value());
            future.whenComplete((result, error) ->
            {
                outstanding.decrementAndGet();
                completed.incrementAndGet();
                if (null != error)
                {
                    errors.incrementAndGet();
                }
            });
        }
        final double seconds = integer("saturation");
        final double rate = (completed.get() - base) / seconds;
        final double cpu = (CpuMeter.cpuSeconds(pids) - cpuBefore) / seconds;
        awaitQuiet();
        return String.format(Locale.ROOT, "%,.0f requests/s (%d in flight, %s GETs, %d s after 3 s warm-up; " +
            "errors %d; member CPU %.0f%% of a core)", rate, window, options.get("get-ratio"), integer("saturation"),
            errors.get(), cpu * 100);
    }

    private long[] pids()
    {
        final long[] pids = new long[members.size()];
        for (int i = 0; i < pids.length; i++)
        {
            pids[i] = members.get(i).pid();
        }
        return pids;
    }

    private void awaitQuiet()
    {
        final long deadline = System.nanoTime() + MAX_NS;
        while (inFlight.get() > 0 && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static void awaitNs(final long ns)
    {
        final long deadline = System.nanoTime() + ns;
        for (long left = ns; left > 0; left = deadline - System.nanoTime())
        {
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private static String uptime()
    {
        try
        {
            final Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            final String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return text;
        }
        catch (final IOException ex)
        {
            return "uptime unavailable: " + ex.getMessage();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "uptime interrupted";
        }
    }

    private String report(
        final String commandLine, final String uptimeBefore, final String uptimeAfter, final MachineStats before,
        final MachineStats after)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("# Partition migration under load (").append(Instant.now()).append(")\n\n");
        sb.append("Command: `perf-results/partitioning/run.sh RUN ").append(commandLine.replaceAll("--out=\\S+ ?", ""))
            .append("` (harness arguments: `").append(commandLine).append("`)\n\n");
        sb.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores; `uptime` before: `")
            .append(uptimeBefore).append("`; after: `").append(uptimeAfter).append("`; CPU idle during the run: ")
            .append(after.idleSince(before)).append(".\n\n");
        sb.append("Options: ");
        options.forEach((k, v) -> sb.append('`').append(k).append('=').append(v).append("` "));
        sb.append("\n\nCluster: ").append(options.get("groups")).append(" group(s) of 3 members in 3 member JVMs (")
            .append(MemberMain.class.getSimpleName()).append(", each a member of every group; replication defaults: ")
            .append("BackoffIdleStrategy, parks up to the default max park), one FerriteClient with cluster seeds ")
            .append("(client defaults: embedded media driver, backoff idle strategy); UDP on 127.0.0.1. PUTs are ")
            .append("acknowledged by a majority; GETs go through the log (linearizable).\n\n");
        notes.forEach((n) -> sb.append(n).append("\n\n"));
        sb.append("## Foreground latency per phase (microseconds, from intended send time)\n\n");
        sb.append("| phase | seconds | requests | errors | GET p50 | GET p99 | GET p99.9 | GET max | PUT p50 | ")
            .append("PUT p99 | PUT p99.9 | PUT max | member CPU (cores) | client CPU (cores) |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final PhaseResult r : phases)
        {
            final Histogram get = r.phase.get.getIntervalHistogram();
            final Histogram put = r.phase.put.getIntervalHistogram();
            sb.append(String.format(Locale.ROOT, "| %s | %.1f | %,d | %d | %s | %s | %.2f | %.2f |%n", r.phase.name,
                r.seconds, r.phase.sent.get(), r.phase.errors.get(), percentiles(get), percentiles(put),
                r.memberCores, r.clientCores));
        }
        sb.append("\n## Moves\n\n| phase | partitions | done | entries | MB | seconds | entries/s | MB/s | ")
            .append("cut-over pause p50 (ms) | pause max (ms) |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (final MoveResult m : moves)
        {
            final List<Long> sorted = new ArrayList<>(m.pausesNs);
            sorted.sort(Long::compare);
            final String p50 = sorted.isEmpty() ? "-" : fmtMs(sorted.get(sorted.size() / 2));
            final String max = sorted.isEmpty() ? "-" : fmtMs(sorted.get(sorted.size() - 1));
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %,d | %.1f | %.2f | %,.0f | %.2f | %s | %s |%n",
                m.name, m.partitions, m.finished, m.entries, m.bytes / 1e6, m.seconds, m.entries / m.seconds,
                m.bytes / 1e6 / m.seconds, p50, max));
        }
        sb.append("\n## Saturation\n\n").append(saturation).append("\n");
        return sb.toString();
    }

    private static String percentiles(final Histogram h)
    {
        if (0 == h.getTotalCount())
        {
            return "- | - | - | -";
        }
        return String.format(Locale.ROOT, "%.0f | %.0f | %.0f | %.0f", h.getValueAtPercentile(50) / 1e3,
            h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
    }

    private static String fmtMs(final long ns)
    {
        return String.format(Locale.ROOT, "%.1f", ns / 1e6);
    }

    @FunctionalInterface
    private interface PhaseBody
    {
        void run() throws Exception;
    }

    /**
     * Latencies of the requests intended while a phase was current; recorded from any thread.
     */
    private static final class Phase
    {
        final String name;
        final Recorder get = new Recorder(3);
        final Recorder put = new Recorder(3);
        static final long SLOW_NS = TimeUnit.MILLISECONDS.toNanos(10);
        static final int SLOW_CAPACITY = 100_000;

        final AtomicLong sent = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicInteger slowCount = new AtomicInteger();
        final long[] slowIntended = new long[SLOW_CAPACITY];
        final int[] slowPartition = new int[SLOW_CAPACITY];
        private final int partitions;

        Phase(final String name)
        {
            this(name, 0);
        }

        Phase(final String name, final int partitions)
        {
            this.name = name;
            this.partitions = partitions;
        }

        void record(final int op, final long intendedNs, final Throwable error, final byte[] key)
        {
            if (null != error)
            {
                errors.incrementAndGet();
                return;
            }
            final long latencyNs = Math.max(0, System.nanoTime() - intendedNs);
            (LoadTarget.GET == op ? get : put).recordValue(latencyNs);
            if (latencyNs > SLOW_NS)
            {
                final int i = slowCount.getAndIncrement();
                if (i < SLOW_CAPACITY)
                {
                    slowIntended[i] = intendedNs;
                    slowPartition[i] = partitions > 0 ? PartitionHash.partition(key, partitions) : -1;
                }
            }
        }
    }

    private record PhaseResult(Phase phase, double seconds, double memberCores, double clientCores)
    {
    }

    private record MoveResult(
        String name, int partitions, int finished, long entries, long bytes, double seconds, List<Long> pausesNs)
    {
    }
}
