package io.ferrite.replication;

import io.ferrite.client.ClientContext;
import io.ferrite.client.FerriteClient;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Test support: a partitioned cluster of two groups of three members in this JVM, its client, and moving one of its
 * partitions with a real {@link ClusterAdmin} and {@link PartitionMover}.
 */
final class TwoGroupCluster
{
    private static final PartitionMover.ProgressListener QUIET = new PartitionMover.ProgressListener()
    {
        public void onProgress(final MoveStatus move, final long queued, final long elapsedNs)
        {
        }

        public void onDone(final MoveStatus move, final long pauseNs)
        {
        }
    };

    private TwoGroupCluster()
    {
    }

    /**
     * Start the members (settings applied last) and connect a client; everything started goes to {@code closeables}.
     */
    static FerriteClient launch(
        final GroupTopology topology, final File dir, final int partitions, final Queue<Throwable> errors,
        final List<AutoCloseable> closeables, final Consumer<ReplicaNodeContext> settings)
    {
        for (int m = 0; m < 3; m++)
        {
            final ReplicaNodeContext ctx = new ReplicaNodeContext()
                .memberId(m)
                .topology(topology)
                .groups(0, 1)
                .partitionCount(partitions)
                .clusterGroupCount(2)
                .baseDir(new File(dir, "node-" + m))
                .deleteOnStart(true)
                .errorHandler(errors::add)
                .storeCapacityBytes(8L * 1024 * 1024);
            settings.accept(ctx);
            closeables.add(ReplicaNode.launch(ctx));
        }
        // the groups elect their leaders while the client connects: give it what a loaded machine needs
        final FerriteClient client = FerriteClient.connect(new ClientContext()
            .cluster(topology.ingressEndpoints(0), topology.ingressEndpoints(1))
            .connectTimeout(Duration.ofSeconds(60))
            .requestTimeout(Duration.ofSeconds(20)));
        closeables.add(client);
        return client;
    }

    static void move(final GroupTopology topology, final int partition, final int from, final int to)
    {
        try (ClusterAdmin admin = new ClusterAdmin(new String[]{ topology.ingressEndpoints(0),
            topology.ingressEndpoints(1) }, null, 10_000_000_000L))
        {
            admin.submitPlan(List.of(new PlannedMove(partition, from, to)));
            final PlanStatus plan = new PartitionMover(admin, 0, 16, 64 * 1024, QUIET).apply();
            assertNull(plan.running(), "the move finished: " + plan);
            assertEquals(to, admin.partitionMap().owner(partition), "partition " + partition + " moved");
        }
    }
}
