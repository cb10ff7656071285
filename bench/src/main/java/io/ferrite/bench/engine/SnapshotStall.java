package io.ferrite.bench.engine;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.replication.FerriteClusteredService;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.ReplicaNode;
import io.ferrite.replication.ReplicaNodeContext;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The longest gap in answered requests while a replicated group takes a snapshot, blocking (the whole image written
 * into Aeron's snapshot, the default) against background images ({@code ferrite.replication.snapshot.background}).
 * <p>
 * For each mode: one member group in this JVM, filled with N entries (16-byte keys, 100-byte values) through the log,
 * then a steady open-loop load of gets (one every {@code ferrite.stall.intervalUs}, default 500 us) while a snapshot
 * is requested, twice (the second shows the steady state: the store reuses its snapshot scratch space); prints the
 * longest time between two consecutive answers and the worst request latency within the window from the request
 * until the snapshot (and in background mode the image file) is complete, then restarts the member from the last
 * snapshot and checks it holds all N entries.
 * <p>
 * {@code java $FLAGS -cp bench/target/ferrite-benchmarks.jar io.ferrite.bench.engine.SnapshotStall 1000000}
 */
public final class SnapshotStall
{
    private static final String BACKGROUND = "ferrite.replication.snapshot.background";

    private SnapshotStall()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int entries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final long intervalNs = TimeUnit.MICROSECONDS.toNanos(Long.getLong("ferrite.stall.intervalUs", 500));
        final File base = Files.createTempDirectory("ferrite-stall").toFile();
        try
        {
            for (final boolean background : new boolean[]{ false, true })
            {
                System.setProperty(BACKGROUND, Boolean.toString(background));
                measure(entries, background, intervalNs, new File(base, background ? "background" : "blocking"));
            }
        }
        finally
        {
            IoUtil.delete(base, true);
        }
    }

    private static ReplicaNodeContext context(final int entries, final File dir, final boolean fresh)
    {
        return new ReplicaNodeContext()
            .memberId(0)
            .topology(GroupTopology.local(1, 24000))
            .baseDir(dir)
            .deleteOnStart(fresh)
            .snapshotLogBytes(0)
            .storeCapacityBytes(Math.max(64L << 20, entries * 300L))
            .storeMaxEntries(entries + entries / 10);
    }

    private static FerriteClient client()
    {
        return FerriteClient.connect(new ClientContext()
            .group(GroupTopology.local(1, 24000).ingressEndpoints(0))
            .requestTimeoutNs(TimeUnit.SECONDS.toNanos(60)));
    }

    private static void measure(final int entries, final boolean background, final long intervalNs, final File dir)
        throws Exception
    {
        final String mode = background ? "background" : "blocking";
        try (ReplicaNode node = ReplicaNode.launch(context(entries, dir, true)); FerriteClient client = client())
        {
            fill(client, entries);
            final FerriteClusteredService service = node.service(0);
            final AtomicLong lastAnswer = new AtomicLong(System.nanoTime());
            final AtomicLong maxGap = new AtomicLong();
            final AtomicLong maxLatency = new AtomicLong();
            final AtomicLong answered = new AtomicLong();
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread load = new Thread(() -> steadyLoad(client, entries, intervalNs, lastAnswer, maxGap,
                maxLatency, answered, stop), "stall-load");
            load.start();
            Thread.sleep(2_000);
            for (int round = 1; round <= 2; round++)
            {
                final long snapshotsBefore = service.snapshots();
                final List<String> imagesBefore = images(dir);
                maxGap.set(0);
                maxLatency.set(0);
                final long requested = System.nanoTime();
                while (!node.requestSnapshot(0))
                {
                    Thread.sleep(1);
                }
                final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (service.snapshots() == snapshotsBefore && System.nanoTime() < deadline)
                {
                    Thread.sleep(1);
                }
                final long snapshotTaken = System.nanoTime();
                while (background && imagesBefore.containsAll(images(dir)) && System.nanoTime() < deadline)
                {
                    Thread.sleep(1);
                }
                final long imageWritten = System.nanoTime();
                Thread.sleep(1_000);
                System.out.printf("STALL mode=%s snapshot=%d entries=%d load=1 get/%d us: service in onTakeSnapshot " +
                    "%.1f ms, snapshot done %.1f ms after the request, image complete after %.1f ms; longest gap " +
                    "between answers %.2f ms, worst latency %.2f ms%n", mode, round, entries, intervalNs / 1000,
                    service.lastSnapshotNs() / 1e6, (snapshotTaken - requested) / 1e6,
                    (imageWritten - requested) / 1e6, maxGap.get() / 1e6, maxLatency.get() / 1e6);
                Thread.sleep(2_000);
            }
            stop.set(true);
            load.join();
            System.out.printf("LOAD mode=%s %d answered%n", mode, answered.get());
        }
        try (ReplicaNode node = ReplicaNode.launch(context(entries, dir, false)); FerriteClient client = client())
        {
            final long size = node.service(0).size();
            final byte[] value = client.get(key(entries / 2));
            System.out.printf("RESTART mode=%s from its snapshot: %d entries (expected %d), value of key %d %s%n",
                mode, size, entries, entries / 2, null != value && 100 == value.length ? "intact" : "MISSING");
            if (size != entries)
            {
                throw new IllegalStateException(mode + ": restarted member holds " + size + " entries, not " + entries);
            }
        }
    }

    private static void fill(final FerriteClient client, final int entries)
    {
        final byte[] value = new byte[100];
        final List<CompletableFuture<?>> batch = new ArrayList<>();
        for (int i = 0; i < entries; i++)
        {
            batch.add(client.putAsync(key(i), value));
            if (batch.size() == 200)
            {
                batch.forEach(CompletableFuture::join);
                batch.clear();
            }
        }
        batch.forEach(CompletableFuture::join);
    }

    private static byte[] key(final int i)
    {
        return String.format("key-%012d", i).getBytes();
    }

    private static void steadyLoad(
        final FerriteClient client,
        final int entries,
        final long intervalNs,
        final AtomicLong lastAnswer,
        final AtomicLong maxGap,
        final AtomicLong maxLatency,
        final AtomicLong answered,
        final AtomicBoolean stop)
    {
        long next = System.nanoTime();
        int i = 0;
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        while (!stop.get() || !pending.isEmpty())
        {
            final long now = System.nanoTime();
            if (!stop.get() && now >= next)
            {
                final long scheduled = next;
                next += intervalNs;
                pending.add(client.getAsync(key(i++ % entries)).whenComplete((result, error) ->
                {
                    final long at = System.nanoTime();
                    final long previous = lastAnswer.getAndSet(at);
                    maxGap.accumulateAndGet(at - previous, Math::max);
                    maxLatency.accumulateAndGet(at - scheduled, Math::max);
                    answered.incrementAndGet();
                }));
            }
            pending.removeIf(CompletableFuture::isDone);
            Thread.onSpinWait();
            if (next - System.nanoTime() > 100_000)
            {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    private static List<String> images(final File dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir.toPath()))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("image-\\d+\\.img")).toList();
        }
    }
}
