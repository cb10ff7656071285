package io.ferrite.bench.latency;

import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.ReplicaNode;
import io.ferrite.replication.ReplicaNodeContext;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;

/**
 * One member of a local 3-member replica group (group 0) in its own JVM for the harness:
 * {@code MemberMain <memberId> <portBase> <baseDir> <capacityBytes> [<groups> <partitions>]}; with {@code groups}
 * given, a member of each of groups 0 .. groups - 1 of a partitioned cluster of {@code partitions} partitions (one
 * store per group, each of {@code capacityBytes}). Fresh state on start, replication defaults
 * otherwise (backoff idle strategies, parks up to {@code ferrite.replication.idle.max.park.us}). Prints
 * {@link #READY} once started; stops on SIGTERM.
 */
public final class MemberMain
{
    static final String READY = "LATENCY-MEMBER-READY";

    private MemberMain()
    {
    }

    public static void main(final String[] args)
    {
        final int member = Integer.parseInt(args[0]);
        final int portBase = Integer.parseInt(args[1]);
        final File baseDir = new File(args[2]);
        final ReplicaNodeContext ctx = new ReplicaNodeContext()
            .memberId(member)
            .topology(GroupTopology.local(3, portBase))
            .baseDir(baseDir)
            .deleteOnStart(true)
            .storeCapacityBytes(Long.parseLong(args[3]));
        if (args.length > 4)
        {
            final int groups = Integer.parseInt(args[4]);
            final int[] ids = new int[groups];
            for (int g = 0; g < groups; g++)
            {
                ids[g] = g;
            }
            ctx.groups(ids).clusterGroupCount(groups).partitionCount(Integer.parseInt(args[5]));
        }
        else
        {
            ctx.groups(0);
        }
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier(); ReplicaNode node = ReplicaNode.launch(ctx))
        {
            System.out.println(READY + " member=" + member + " maxParkNs=" + ctx.maxParkNs() + " aeronDir=" +
                node.aeronDirectoryName());
            System.out.flush();
            barrier.await();
        }
        System.out.println("LATENCY-MEMBER-STOPPED member=" + member);
    }
}
