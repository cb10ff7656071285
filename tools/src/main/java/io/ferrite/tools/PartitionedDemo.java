package io.ferrite.tools;

import io.ferrite.client.FerriteException;
import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.ferrite.client.WriteCondition;
import io.ferrite.codec.PartitionHash;
import io.ferrite.replication.ClusterAdmin;
import io.ferrite.replication.ClusterStatus;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.PartitionMap;
import io.ferrite.replication.PartitionMover;
import io.ferrite.replication.PlanStatus;
import io.ferrite.replication.PlannedMove;
import io.ferrite.replication.ReplicaNode;
import io.ferrite.replication.ReplicaNodeContext;
import org.agrona.CloseHelper;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's third part: a partitioned cluster of two groups of three members (three nodes in this process, each a
 * member of both groups), a client routing requests across the groups, a partition moved online with progress
 * while a writer keeps writing, then a group's leader stopped.
 */
final class PartitionedDemo
{
    private static final int GROUPS = 2;

    private PartitionedDemo()
    {
    }

    static int run(final int portBase, final File dir)
    {
        final GroupTopology topology = GroupTopology.local(3, portBase);
        final int partitions = PartitionHash.DEFAULT_PARTITION_COUNT;
        final List<ReplicaNode> nodes = new ArrayList<>();
        try
        {
            for (int m = 0; m < 3; m++)
            {
                nodes.add(ReplicaNode.launch(new ReplicaNodeContext()
                    .memberId(m)
                    .topology(topology)
                    .groups(0, 1)
                    .partitionCount(partitions)
                    .clusterGroupCount(GROUPS)
                    .baseDir(new File(dir, "member-" + m))
                    .deleteOnStart(true)));
            }
            final String[] endpoints = { topology.ingressEndpoints(0), topology.ingressEndpoints(1) };
            System.out.printf("Started 2 groups x 3 members, %d partitions (partition = murmur3(key) mod %d)%n",
                partitions, partitions);
            try (FerriteClient client = FerriteClient.connect(new ClientContext()
                .cluster(endpoints).requestTimeout(Duration.ofSeconds(20)));
                ClusterAdmin admin = new ClusterAdmin(endpoints, null, TimeUnit.SECONDS.toNanos(20)))
            {
                final int[] perGroup = new int[GROUPS];
                final long start = System.nanoTime();
                for (int i = 0; i < 2000; i++)
                {
                    final byte[] key = bytes("user:" + i);
                    client.put(key, bytes("{\"id\":" + i + "}"), Duration.ofHours(1));
                    perGroup[client.groupOf(key)]++;
                }
                System.out.printf("2,000 puts routed by partition: %d to group 0, %d to group 1 (%d ms)%n",
                    perGroup[0], perGroup[1], (System.nanoTime() - start) / 1_000_000);
                final List<byte[]> values = client.multiGet(List.of(bytes("user:1"), bytes("user:2"), bytes("nope")));
                System.out.printf("multiGet user:1, user:2, nope (split by group, answered in order): %s, %s, %s%n",
                    text(values.get(0)), text(values.get(1)), text(values.get(2)));

                final int partition = PartitionHash.partition(bytes("user:42"), partitions);
                final List<java.util.concurrent.CompletableFuture<Boolean>> loads = new ArrayList<>();
                final byte[] payload = bytes("x".repeat(120));
                for (int i = 0, loaded = 0; loaded < 1500; i++)
                {
                    final byte[] key = bytes("bulk:" + i);
                    if (PartitionHash.partition(key, partitions) == partition)
                    {
                        loads.add(client.putAsync(key, payload, Duration.ZERO,
                            WriteCondition.ALWAYS));
                        loaded++;
                    }
                }
                loads.forEach(java.util.concurrent.CompletableFuture::join);
                System.out.printf("1,500 more entries of 120 bytes put into partition %d (pipelined)%n", partition);
                final PartitionMap map = admin.partitionMap();
                final int from = map.owner(partition);
                final int to = 1 - from;
                final Map<String, String> acknowledged = new ConcurrentHashMap<>();
                final AtomicBoolean writing = new AtomicBoolean(true);
                final AtomicLong writes = new AtomicLong();
                final Thread writer = new Thread(() ->
                {
                    int round = 0;
                    while (writing.get())
                    {
                        final String value = "v" + round++;
                        try
                        {
                            client.put(bytes("user:42"), bytes(value));
                            acknowledged.put("user:42", value);
                            writes.incrementAndGet();
                        }
                        catch (final FerriteException ex)
                        {
                            System.out.println("  writer: " + ex.getMessage());
                        }
                    }
                }, "demo-writer");
                writer.start();
                System.out.printf("Moving partition %d (holds user:42) from group %d to group %d while a writer " +
                    "writes user:42; throttled to 64 KiB/s to show progress:%n", partition, from, to);
                admin.submitPlan(List.of(new PlannedMove(partition, from, to)));
                final PlanStatus done = new PartitionMover(admin, 64 * 1024, 64, 16 * 1024,
                    new ProgressPrinter(System.out, 1, 0)).apply();
                writing.set(false);
                writer.join(TimeUnit.SECONDS.toMillis(30));
                System.out.printf("Writer made %,d acknowledged writes during the move; user:42 now reads %s " +
                    "(last acknowledged %s); map epoch %d%n", writes.get(), text(client.get(bytes("user:42"))),
                    acknowledged.get("user:42"), admin.partitionMap().epoch());
                RebalanceCommand.printStatus(System.out, done);

                int leader = -1;
                for (final ClusterStatus.MemberStatus status : ClusterStatus.read(topology, to))
                {
                    leader = "LEADER".equals(status.role()) ? status.member() : leader;
                }
                System.out.printf("Stopping member %d (leader of group %d, which now owns partition %d)...%n",
                    leader, to, partition);
                final long stopped = System.nanoTime();
                nodes.get(leader).close();
                client.put(bytes("user:42"), bytes("after-failover"));
                System.out.printf("A new leader took the write %d ms later; user:42 -> %s; user:7 -> %s%n",
                    (System.nanoTime() - stopped) / 1_000_000, text(client.get(bytes("user:42"))),
                    text(client.get(bytes("user:7"))));
            }
            return 0;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        finally
        {
            for (int i = nodes.size() - 1; i >= 0; i--)
            {
                CloseHelper.quietClose(nodes.get(i));
            }
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(final byte[] value)
    {
        return null == value ? "(miss)" : new String(value, StandardCharsets.UTF_8);
    }
}
