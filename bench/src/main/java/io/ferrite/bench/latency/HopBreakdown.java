package io.ferrite.bench.latency;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestEncoder;
import io.ferrite.codec.sbe.PutResponseDecoder;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.ReplicationConfiguration;
import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteClient;
import io.ferrite.transport.HopRecorder;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.HighResolutionClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Where a replicated PUT's time goes, hop by hop. Starts a local 3-member group ({@link MemberMain}, one JVM each)
 * in the members' diagnostic mode ({@code ferrite.diagnostics.hops.file}: nanosecond cluster clock, one record per
 * stamped PUT in every member), then sends PUTs at a fixed rate (open loop, the sender also polls the answers)
 * from a bare {@link AeronCluster} client, each value starting with its send time (epoch ns). Every process on
 * this machine reads the same realtime clock, so joining the members' records with the client's receive times
 * splits each round trip into:
 * <ul>
 *   <li>ingress: client send -> the leader's consensus module appends it to the log (client driver, leader driver,
 *   consensus module wake);</li>
 *   <li>commit: append -> the leader's service applies it (followers' drivers and archives record it, their
 *   consensus modules report the position, the leader commits, its service wakes);</li>
 *   <li>apply: the service decodes, applies and offers the answer;</li>
 *   <li>egress: answer offered -> client has it (leader driver, client driver, client poll wake).</li>
 * </ul>
 * Usage: {@code HopBreakdown --out=DIR [--rate=1000] [--count=20000] [--warmup=5000] [--value-size=100]
 * [--port-base=27200] [--client-park-us=100] [--member-flag=-Dx=y ...]}; writes {@code DIR/hops.md}.
 * The client polls on the sending thread with BackoffIdleStrategy(spin 10, yield 20, park 1 us up to
 * {@code client-park-us}), its embedded driver is SHARED with the same backoff.
 */
public final class HopBreakdown
{
    private static final int MEMBERS = 3;
    private static final String[] STAGES = {"ingress", "commit", "apply", "egress", "total", "follower-applied"};

    private HopBreakdown()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        File out = null;
        int rate = 1000;
        int count = 20_000;
        int warmup = 5_000;
        int valueSize = 100;
        int portBase = 27_200;
        long clientParkUs = 100;
        boolean node = false;
        final List<String> memberFlags = new ArrayList<>(List.of(
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xms256m", "-Xmx256m", "-XX:+UseSerialGC"));
        for (final String arg : args)
        {
            final String value = arg.substring(arg.indexOf('=') + 1);
            if (arg.startsWith("--out="))
            {
                out = new File(value);
            }
            else if (arg.startsWith("--rate="))
            {
                rate = Integer.parseInt(value);
            }
            else if (arg.startsWith("--count="))
            {
                count = Integer.parseInt(value);
            }
            else if (arg.startsWith("--warmup="))
            {
                warmup = Integer.parseInt(value);
            }
            else if (arg.startsWith("--value-size="))
            {
                valueSize = Math.max(Long.BYTES, Integer.parseInt(value));
            }
            else if (arg.startsWith("--port-base="))
            {
                portBase = Integer.parseInt(value);
            }
            else if (arg.startsWith("--client-park-us="))
            {
                clientParkUs = Long.parseLong(value);
            }
            else if (arg.startsWith("--target="))
            {
                node = "node".equals(value);
                if (!node && !"replicated".equals(value))
                {
                    throw new IllegalArgumentException("--target must be replicated or node, not " + value);
                }
            }
            else if (arg.startsWith("--member-flag="))
            {
                memberFlags.add(value);
            }
            else
            {
                throw new IllegalArgumentException("unknown argument " + arg + " (see the class javadoc)");
            }
        }
        if (null == out)
        {
            throw new IllegalArgumentException("--out=DIR is required");
        }
        if (!out.mkdirs() && !out.isDirectory())
        {
            throw new IOException("cannot create " + out);
        }
        final Run run = new Run(out, rate, count, warmup, valueSize, portBase, clientParkUs, memberFlags);
        if (node)
        {
            run.runNode();
        }
        else
        {
            run.run();
        }
    }

    private static final class Run implements EgressListener
    {
        private final File out;
        private final int rate;
        private final int count;
        private final int warmup;
        private final int valueSize;
        private final int portBase;
        private final long clientParkUs;
        private final List<String> memberFlags;
        private final long[] sent;
        private final long[] received;
        private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
        private final PutResponseDecoder putResponse = new PutResponseDecoder();
        private long answers;

        Run(final File out, final int rate, final int count, final int warmup, final int valueSize,
            final int portBase, final long clientParkUs, final List<String> memberFlags)
        {
            this.out = out;
            this.rate = rate;
            this.count = count;
            this.warmup = warmup;
            this.valueSize = valueSize;
            this.portBase = portBase;
            this.clientParkUs = clientParkUs;
            this.memberFlags = memberFlags;
            this.sent = new long[count];
            this.received = new long[count];
        }

        void run() throws Exception
        {
            final File dataDir = Files.createTempDirectory("ferrite-hops").toFile();
            final String hopPrefix = clearHopFiles();
            final List<String> flags = new ArrayList<>(memberFlags);
            flags.add("-Dferrite.diagnostics.hops.file=" + hopPrefix);
            flags.add("-Dferrite.diagnostics.hops.capacity=" + (count + warmup + 16));
            final List<ChildJvm> members = new ArrayList<>();
            final String uptimeBefore = uptime();
            MediaDriver driver = null;
            AeronCluster cluster = null;
            try
            {
                for (int m = 0; m < MEMBERS; m++)
                {
                    members.add(ChildJvm.start("hops-member-" + m, out, flags, MemberMain.class.getName(),
                        List.of(Integer.toString(m), Integer.toString(portBase), new File(dataDir, "m" + m).getPath(),
                        Long.toString(64L << 20)), MemberMain.READY, 60_000));
                }
                final long maxPark = TimeUnit.MICROSECONDS.toNanos(clientParkUs);
                driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BackoffIdleStrategy(10, 20, 1000, maxPark))
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                final String params = "term-length=" + ReplicationConfiguration.termLength();
                cluster = connect(driver, params);
                final IdleStrategy idle = new BackoffIdleStrategy(10, 20, 1000, maxPark);
                final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
                final MessageHeaderEncoder header = new MessageHeaderEncoder();
                final PutRequestEncoder put = new PutRequestEncoder();
                final byte[] key = new byte[16];
                final UnsafeBuffer value = new UnsafeBuffer(new byte[valueSize]);
                final long clientId = System.nanoTime();
                final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
                long next = System.nanoTime();
                final long total = (long)warmup + count;
                for (long correlationId = 1; correlationId <= total; correlationId++)
                {
                    while (System.nanoTime() - next < 0)
                    {
                        idle.idle(cluster.pollEgress());
                    }
                    idle.reset();
                    next += intervalNs;
                    final int k = (int)(correlationId % 10_000);
                    key[0] = (byte)k;
                    key[1] = (byte)(k >> 8);
                    final long stamp = HighResolutionClock.epochNanos();
                    value.putLong(0, stamp, ByteOrder.LITTLE_ENDIAN);
                    final int length = MessageHeaderEncoder.ENCODED_LENGTH + put
                        .wrapAndApplyHeader(buffer, 0, header)
                        .clientId(clientId)
                        .correlationId(correlationId)
                        .ttlMs(0)
                        .mode(PutMode.UPSERT)
                        .putKey(key, 0, key.length)
                        .putValue(value, 0, valueSize)
                        .encodedLength();
                    while (cluster.offer(buffer, 0, length) < 0)
                    {
                        idle.idle(cluster.pollEgress());
                    }
                    final int index = (int)(correlationId - 1 - warmup);
                    if (index >= 0)
                    {
                        sent[index] = stamp;
                    }
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (answers < total && System.nanoTime() - deadline < 0)
                {
                    idle.idle(cluster.pollEgress());
                }
                if (answers < total)
                {
                    throw new IllegalStateException("only " + answers + " of " + total + " PUTs answered in 30 s");
                }
            }
            finally
            {
                CloseHelper.quietClose(cluster);
                for (final ChildJvm member : members)
                {
                    member.close();
                }
                CloseHelper.quietClose(driver);
                IoUtil.delete(dataDir, true);
            }
            report(hopPrefix, uptimeBefore, uptime(), "replicated");
        }

        public void onMessage(
            final long clusterSessionId,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final Header header)
        {
            final long now = HighResolutionClock.epochNanos();
            headerDecoder.wrap(buffer, offset);
            if (PutResponseDecoder.TEMPLATE_ID == headerDecoder.templateId())
            {
                putResponse.wrapAndApplyHeader(buffer, offset, headerDecoder);
                final int index = (int)(putResponse.correlationId() - 1 - warmup);
                if (index >= 0 && index < count)
                {
                    received[index] = now;
                }
                answers++;
            }
        }

        /**
         * The single node: one {@link NodeMain} child, blocking zero-copy-free PUTs from {@link FerriteClient}
         * (the caller polls its own answer), paced at the rate; the node's receive time stands in for the log time.
         */
        void runNode() throws Exception
        {
            final String hopPrefix = clearHopFiles();
            final List<String> flags = new ArrayList<>(memberFlags);
            flags.add("-D" + HopRecorder.FILE_PROP_NAME + "=" + hopPrefix);
            flags.add("-D" + HopRecorder.CAPACITY_PROP_NAME + "=" + (count + warmup + 16));
            final String uptimeBefore = uptime();
            final ChildJvm nodeJvm = ChildJvm.start("hops-node", out, flags, NodeMain.class.getName(),
                List.of(Integer.toString(portBase), Long.toString(64L << 20)), NodeMain.READY, 60_000);
            try (FerriteClient client = FerriteClient.connect(
                new ClientContext().nodeChannel("aeron:udp?endpoint=127.0.0.1:" + portBase)))
            {
                final byte[] key = new byte[16];
                final byte[] value = new byte[valueSize];
                final UnsafeBuffer valueBuffer = new UnsafeBuffer(value);
                final long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
                long next = System.nanoTime();
                for (int i = -warmup; i < count; i++)
                {
                    while (System.nanoTime() - next < 0)
                    {
                        LockSupport.parkNanos(Math.min(20_000, next - System.nanoTime()));
                    }
                    next += intervalNs;
                    key[0] = (byte)i;
                    key[1] = (byte)(i >> 8);
                    final long stamp = HighResolutionClock.epochNanos();
                    valueBuffer.putLong(0, stamp, ByteOrder.LITTLE_ENDIAN);
                    client.put(key, value);
                    final long now = HighResolutionClock.epochNanos();
                    if (i >= 0)
                    {
                        sent[i] = stamp;
                        received[i] = now;
                    }
                }
            }
            finally
            {
                nodeJvm.close();
            }
            report(hopPrefix, uptimeBefore, uptime(), "node");
        }

        private String clearHopFiles()
        {
            for (final File old : null == out.listFiles() ? new File[0] : out.listFiles())
            {
                if (old.getName().endsWith(".hops"))
                {
                    IoUtil.delete(old, false);
                }
            }
            return new File(out, "hops").getAbsolutePath();
        }

        private AeronCluster connect(final MediaDriver driver, final String params)
        {
            final String ingress = GroupTopology.local(MEMBERS, portBase).ingressEndpoints(0);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true)
            {
                try
                {
                    return AeronCluster.connect(new AeronCluster.Context()
                        .aeronDirectoryName(driver.aeronDirectoryName())
                        .ingressChannel("aeron:udp?" + params)
                        .ingressEndpoints(ingress)
                        .egressChannel("aeron:udp?endpoint=127.0.0.1:0|" + params)
                        .egressListener(this));
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
        }

        private void report(
            final String hopPrefix, final String uptimeBefore, final String uptimeAfter, final String target)
            throws IOException
        {
            final HashMap<Long, long[]> leader = new HashMap<>();
            final HashMap<Long, Long> followerFirst = new HashMap<>();
            final File[] files = out.listFiles((dir, name) -> name.startsWith("hops-") && name.endsWith(".hops") &&
                name.contains("-group-") == "replicated".equals(target) && !name.contains("read"));
            for (final File file : null == files ? new File[0] : files)
            {
                try (RandomAccessFile raf = new RandomAccessFile(file, "r"); FileChannel channel = raf.getChannel())
                {
                    final ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size())
                        .order(ByteOrder.LITTLE_ENDIAN);
                    final long records = mapped.getLong(0);
                    for (int r = 0; r < records; r++)
                    {
                        final int at = 64 + r * 40;
                        final long stamp = mapped.getLong(at);
                        final long[] record = {mapped.getLong(at + 8), mapped.getLong(at + 16),
                            mapped.getLong(at + 24)};
                        if (1 == mapped.getLong(at + 32))
                        {
                            leader.put(stamp, record);
                        }
                        else
                        {
                            followerFirst.merge(stamp, record[1], Math::min);
                        }
                    }
                }
            }
            final Histogram[] histograms = new Histogram[STAGES.length];
            for (int s = 0; s < histograms.length; s++)
            {
                histograms[s] = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            }
            final long[][] stages = new long[count][];
            int joined = 0;
            for (int i = 0; i < count; i++)
            {
                final long[] l = leader.get(sent[i]);
                if (null == l)
                {
                    continue;
                }
                final Long follower = followerFirst.get(sent[i]);
                final long[] row = {
                    l[0] - sent[i], l[1] - l[0], l[2] - l[1], received[i] - l[2], received[i] - sent[i],
                    null == follower ? -1 : follower - l[0]};
                stages[joined++] = row;
                for (int s = 0; s < row.length; s++)
                {
                    if (row[s] >= 0)
                    {
                        histograms[s].recordValue(row[s]);
                    }
                }
            }
            final StringBuilder md = new StringBuilder();
            md.append("# Hop breakdown of a ").append(target).append(" PUT\n\n");
            if ("node".equals(target))
            {
                md.append("Single node: ingress = client send -> the node's store thread has the request (client " +
                    "driver, UDP, node driver on the node thread); commit = 0 (no log); apply = store put + answer " +
                    "queued; egress = answer queued -> the blocking caller has it (node flush, UDP, client driver, " +
                    "caller's poll).\n\n");
            }
            md.append(String.format(Locale.ROOT, "%d PUTs of %d B values, open loop at %d/s after %d warm-up " +
                "PUTs; %d joined with the leader's records (%d follower records).%n%n",
                count, valueSize, rate, warmup, joined, followerFirst.size()));
            md.append("Members: ").append(String.join(" ", memberFlags)).append("\n\n");
            md.append("node".equals(target) ?
                "Client: FerriteClient defaults, blocking put (the caller polls its own answer).\n\n" :
                "Client: bare AeronCluster, embedded driver SHARED, polls on the sending thread, backoff park <= " +
                clientParkUs + " us.\n\n");
            md.append("uptime before: ").append(uptimeBefore).append("\n\nuptime after: ").append(uptimeAfter)
                .append("\n\n");
            md.append("## Each hop's own distribution (µs)\n\n| hop | p50 | p90 | p99 | p99.9 | max | mean |\n" +
                "|---|---|---|---|---|---|---|\n");
            for (int s = 0; s < STAGES.length; s++)
            {
                final Histogram h = histograms[s];
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", STAGES[s],
                    us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)), us(h.getValueAtPercentile(99)),
                    us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()), us((long)h.getMean())));
            }
            md.append("\n## Mean of each hop among the requests in a band of the total (µs)\n\n" +
                "| total band | requests | ingress | commit | apply | egress | total |\n" +
                "|---|---|---|---|---|---|---|\n");
            final long[][] rows = Arrays.copyOf(stages, joined);
            Arrays.sort(rows, (a, b) -> Long.compare(a[4], b[4]));
            final double[][] bands = {{0, 50}, {50, 90}, {90, 99}, {99, 99.9}, {99.9, 100}};
            for (final double[] band : bands)
            {
                final int from = (int)(joined * band[0] / 100);
                final int to = Math.max(from + 1, (int)Math.min(joined, Math.ceil(joined * band[1] / 100)));
                if (from >= joined)
                {
                    continue;
                }
                final double[] sum = new double[5];
                for (int r = from; r < to && r < joined; r++)
                {
                    for (int s = 0; s < 5; s++)
                    {
                        sum[s] += rows[r][s];
                    }
                }
                final int n = Math.min(to, joined) - from;
                md.append(String.format(Locale.ROOT, "| p%s-p%s | %d | %s | %s | %s | %s | %s |%n",
                    fmt(band[0]), fmt(band[1]), n, us((long)(sum[0] / n)), us((long)(sum[1] / n)),
                    us((long)(sum[2] / n)), us((long)(sum[3] / n)), us((long)(sum[4] / n))));
            }
            Files.writeString(new File(out, "hops.md").toPath(), md.toString(), StandardCharsets.UTF_8);
            System.out.println(md);
        }
    }

    private static String fmt(final double percentile)
    {
        return percentile == Math.rint(percentile) ? Long.toString((long)percentile) : Double.toString(percentile);
    }

    private static String us(final long nanos)
    {
        return String.format(Locale.ROOT, nanos < 100_000 ? "%.1f" : "%.0f", nanos / 1000.0);
    }

    /**
     * The load averages from /proc/loadavg, for the record of a benchmark run.
     */
    static String uptime()
    {
        try
        {
            return Files.readString(new File("/proc/loadavg").toPath(), StandardCharsets.US_ASCII).trim();
        }
        catch (final IOException ex)
        {
            return "unknown (" + ex.getMessage() + ")";
        }
    }
}
