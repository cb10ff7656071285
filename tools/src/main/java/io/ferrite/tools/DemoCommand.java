package io.ferrite.tools;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteException;
import io.ferrite.engine.EvictionPolicyType;
import io.ferrite.engine.StoreContext;
import io.ferrite.transport.FerriteNode;
import io.ferrite.transport.NodeContext;
import io.ferrite.replication.GroupTopology;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Shows Ferrite working on embedded defaults: starts a node in this process, talks to it through the real client
 * over Aeron (UDP on loopback), fills it past its budget, restarts the node and reads on, then shuts down.
 */
@Command(name = "demo", description = "Start a node on embedded defaults and show it working through the client.")
final class DemoCommand implements Callable<Integer>
{
    @Option(names = "--dir", description = "Store directory (default: ${DEFAULT-VALUE}).",
        defaultValue = "ferrite-data/demo-store")
    File dir;

    @Option(names = "--entries", description = "Entries to put (default: ${DEFAULT-VALUE}).", defaultValue = "200000")
    int entries;

    @Option(names = "--port", description = "UDP port of the demo node (default: ${DEFAULT-VALUE}).",
        defaultValue = "7457")
    int port;

    @Option(names = "--no-cluster", description = "Skip every replicated part (group and failover, partitioned " +
        "cluster, datastore policies).")
    boolean skipCluster;

    @Option(names = "--no-partitioned", description = "Skip the third part: two groups, routing, a partition moved.")
    boolean skipPartitioned;

    @Option(names = "--no-datastore", description = "Skip the last part: a group reading through and writing behind " +
        "to an embedded PostgreSQL.")
    boolean skipDataStore;

    @Option(names = "--cluster-port-base", description = "First port of the demo group (default: ${DEFAULT-VALUE}).",
        defaultValue = "21500")
    int clusterPortBase;

    public Integer call()
    {
        final long capacity = 16L * 1024 * 1024;
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + port;
        System.out.printf("Starting a node: LRU store of %d MiB in %s, listening on %s%n",
            capacity >> 20, dir, channel);
        FerriteNode node = FerriteNode.launch(nodeContext(channel, capacity, true));
        try (FerriteClient client = FerriteClient.connect(new ClientContext()
            .nodeChannel(channel)
            .connectTimeoutNs(TimeUnit.SECONDS.toNanos(10))))
        {
            System.out.printf("Client connected (own embedded media driver), ping %d us%n",
                TimeUnit.NANOSECONDS.toMicros(client.ping()));

            client.put("user:42", "{\"name\":\"Ada\"}");
            client.put("session:7", "short-lived", Duration.ofMinutes(1));
            System.out.printf("put user:42, session:7 (TTL 60 s)   get user:42 -> %s%n", client.get("user:42"));
            System.out.printf("get user:43 -> %s (a miss)%n", client.get("user:43"));
            System.out.printf("putIfAbsent user:42 -> %s; delete session:7 -> %s%n",
                client.putIfAbsent(bytes("user:42"), bytes("other"), Duration.ZERO), client.delete("session:7"));

            final long start = System.nanoTime();
            final byte[] value = new byte[100];
            final List<CompletableFuture<Boolean>> inFlight = new ArrayList<>();
            for (int i = 0; i < entries; i++)
            {
                inFlight.add(client.putAsync(bytes("key-" + i), value));
                if (inFlight.size() == 1024)
                {
                    CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).join();
                    inFlight.clear();
                }
            }
            CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).join();
            final long elapsedNs = System.nanoTime() - start;
            System.out.printf("Pipelined %,d async puts of 100 bytes in %d ms (%,d puts/s)%n", entries,
                TimeUnit.NANOSECONDS.toMillis(elapsedNs), entries * 1_000_000_000L / Math.max(1, elapsedNs));

            final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
            final int keyLength = key.putStringWithoutLengthAscii(0, "key-" + (entries - 1));
            System.out.printf("Zero-copy get of the newest key: %d bytes; oldest key evicted: %s%n",
                client.get(key, 0, keyLength, dst, 0), null == client.get(bytes("key-0")));
            final long[] latencies = new long[10_000];
            for (int i = 0; i < 20_000; i++)
            {
                client.get(key, 0, keyLength, dst, 0);
            }
            for (int i = 0; i < latencies.length; i++)
            {
                final long sentNs = System.nanoTime();
                client.get(key, 0, keyLength, dst, 0);
                latencies[i] = System.nanoTime() - sentNs;
            }
            Arrays.sort(latencies);
            final int n = latencies.length;
            System.out.printf("%,d blocking zero-copy gets after warm-up, one at a time (UDP loopback, " +
                "backoff idle): p50 %d us, p99 %d us, max %d us%n",
                n, latencies[n / 2] / 1000, latencies[n * 99 / 100] / 1000, latencies[n - 1] / 1000);
            client.put("user:42", "{\"name\":\"Ada\",\"visits\":2}");
            final List<byte[]> values = client.multiGet(List.of(bytes("user:42"), bytes("key-0")));
            System.out.printf("multiGet [user:42, key-0] -> [%s, %s]%n",
                new String(values.get(0), StandardCharsets.UTF_8),
                null == values.get(1) ? "null (evicted)" : values.get(1).length + " bytes");
            StatsCommand.print(client.stats());

            System.out.println("Restarting the node (clean close, reopen the same store)...");
            node.close();
            node = FerriteNode.launch(nodeContext(channel, capacity, false));
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String after = null;
            while (null == after && System.nanoTime() < deadlineNs)
            {
                try
                {
                    after = client.get("user:42");
                }
                catch (final FerriteException ex)
                {
                    System.out.println("  waiting for the client to reconnect: " + ex.getMessage());
                }
            }
            System.out.printf("After the restart the client reconnected by itself: get user:42 -> %s; " +
                "%,d entries kept%n", after, client.stats().size());
        }
        finally
        {
            node.close();
        }
        System.out.println("Node and client closed cleanly.");
        if (!skipCluster)
        {
            System.out.println();
            System.out.println("Now a replicated group: three members (Raft via Aeron Cluster) in this process.");
            final int result = ClusterCommand.Start.run(GroupTopology.local(3, clusterPortBase), new int[]{ 0 },
                new File(dir.getParentFile(), "demo-cluster"), true);
            if (0 != result)
            {
                return result;
            }
            if (!skipPartitioned)
            {
                System.out.println();
                System.out.println("Now a partitioned cluster: two replica groups, one client, a partition moved.");
                final int partitioned =
                    PartitionedDemo.run(clusterPortBase + 1000, new File(dir.getParentFile(), "demo-partitioned"));
                if (0 != partitioned)
                {
                    return partitioned;
                }
            }
            if (!skipDataStore)
            {
                System.out.println();
                System.out.println("Now the datastore policies: a group reading through and writing behind to " +
                    "PostgreSQL.");
                return DataStoreDemo.run(clusterPortBase + 2000, new File(dir.getParentFile(), "demo-datastore"));
            }
        }
        return 0;
    }

    private NodeContext nodeContext(final String channel, final long capacity, final boolean fresh)
    {
        return new NodeContext()
            .channel(channel)
            .eventLog((message) -> System.out.println("  [node] " + message))
            .storeContext(new StoreContext().dir(dir).deleteOnOpen(fresh).capacityBytes(capacity)
                .policy(EvictionPolicyType.LRU));
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
