package io.ferrite.bench.latency;

import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteClient;
import io.ferrite.engine.StoreContext;
import io.ferrite.transport.FerriteNode;
import io.ferrite.transport.NodeContext;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * What a client on the node's host buys by sharing the node's media driver and by using Aeron IPC: blocking GETs
 * back to back from one thread, in one JVM with two nodes (one on UDP with its embedded driver, one on IPC sharing
 * that driver), through three clients measured in interleaved rounds:
 * <ol>
 *     <li>{@code udp, own driver}: the default, a client with its own embedded media driver, UDP to the node;</li>
 *     <li>{@code udp, node's driver}: the client uses the node's media driver, still UDP;</li>
 *     <li>{@code ipc, node's driver}: the client uses the node's media driver and IPC both ways.</li>
 * </ol>
 * Every thread on default backoff idle strategies. Arguments: {@code [seconds per round] [rounds]} (5, 3).
 */
public final class IpcComparison
{
    private static final int KEYS = 10_000;
    private static final int VALUE_LENGTH = 100;

    private IpcComparison()
    {
    }

    public static void main(final String[] args)
    {
        final long roundNs = TimeUnit.SECONDS.toNanos(args.length > 0 ? Long.parseLong(args[0]) : 5);
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final int port = 47000 + (int)(ProcessHandle.current().pid() % 1000);
        try (FerriteNode udpNode = FerriteNode.launch(new NodeContext()
                .channel("aeron:udp?endpoint=127.0.0.1:" + port)
                .storeContext(new StoreContext().capacityBytes(64L << 20)));
            FerriteNode ipcNode = FerriteNode.launch(new NodeContext()
                .channel("aeron:ipc").streamId(2001).aeronDir(udpNode.aeronDirectoryName())
                .storeContext(new StoreContext().capacityBytes(64L << 20)));
            FerriteClient ownDriver = FerriteClient.connect(new ClientContext()
                .nodeChannel(udpNode.context().channel()));
            FerriteClient nodeDriver = FerriteClient.connect(new ClientContext()
                .nodeChannel(udpNode.context().channel()).aeronDir(udpNode.aeronDirectoryName()));
            FerriteClient ipc = FerriteClient.connect(new ClientContext()
                .nodeChannel(ipcNode.context().channel()).nodeStreamId(ipcNode.context().streamId())
                .responseChannel("aeron:ipc")
                .aeronDir(udpNode.aeronDirectoryName())))
        {
            final FerriteClient[] clients = { ownDriver, nodeDriver, ipc };
            final String[] names = { "udp, own driver (default)", "udp, node's driver", "ipc, node's driver" };
            final Histogram[] histograms = new Histogram[clients.length];
            final long[] calls = new long[clients.length];
            final long[] elapsedNs = new long[clients.length];
            final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
            final UnsafeBuffer value = new UnsafeBuffer(new byte[VALUE_LENGTH]);
            final UnsafeBuffer dst = new UnsafeBuffer(new byte[VALUE_LENGTH + 64]);
            for (int c = 0; c < clients.length; c++)
            {
                histograms[c] = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                for (int k = 0; k < KEYS; k++)
                {
                    key.putLong(0, k);
                    key.putLong(8, ~k);
                    clients[c].put(key, 0, key.capacity(), value, 0, VALUE_LENGTH);
                }
                run(clients[c], key, dst, roundNs / 2, null);
            }
            System.out.printf("/proc/loadavg before: %s%n", HopBreakdown.uptime());
            for (int r = 0; r < rounds; r++)
            {
                for (int c = 0; c < clients.length; c++)
                {
                    final long start = System.nanoTime();
                    calls[c] += run(clients[c], key, dst, roundNs, histograms[c]);
                    elapsedNs[c] += System.nanoTime() - start;
                }
            }
            System.out.printf("/proc/loadavg after: %s%n%n", HopBreakdown.uptime());
            System.out.println("| client | blocking GETs/s | p50 | p90 | p99 | p99.9 | max |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (int c = 0; c < clients.length; c++)
            {
                final Histogram h = histograms[c];
                System.out.printf("| %s | %,.0f | %.1f µs | %.1f µs | %.1f µs | %.1f µs | %.1f µs |%n", names[c],
                    calls[c] * 1e9 / elapsedNs[c], h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3,
                    h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
            }
        }
    }

    private static long run(
        final FerriteClient client, final UnsafeBuffer key, final UnsafeBuffer dst, final long durationNs,
        final Histogram histogram)
    {
        final long end = System.nanoTime() + durationNs;
        long calls = 0;
        long k = 0;
        long now;
        while ((now = System.nanoTime()) < end)
        {
            key.putLong(0, k);
            key.putLong(8, ~k);
            if (client.get(key, 0, key.capacity(), dst, 0) != VALUE_LENGTH)
            {
                throw new IllegalStateException("key " + k + " is missing");
            }
            if (null != histogram)
            {
                histogram.recordValue(System.nanoTime() - now);
            }
            calls++;
            k = (k + 7919) % KEYS;
        }
        return calls;
    }
}
