package io.ferrite.replication;

import io.ferrite.replication.datastore.DataStoreConfiguration;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;
import java.util.Arrays;

/**
 * Runs a {@link ReplicaNode} as a process until SIGINT/SIGTERM.
 * <p>
 * Arguments are system properties: {@code ferrite.node.member} (member id), {@code ferrite.node.hosts}
 * (comma-separated, one per member, default three times 127.0.0.1), {@code ferrite.node.groups}
 * (comma-separated group ids, default 0, or every group of the description), {@code ferrite.cluster.description}
 * (a {@link ClusterDescription} file: hosts, port base, partitions and groups of a partitioned cluster),
 * {@code ferrite.node.dir} (base directory),
 * {@code ferrite.node.delete.on.start}, {@code ferrite.node.exit.with.parent} (stop when the parent process ends, so
 * a test harness that dies leaves no member behind), plus those of {@link ReplicationConfiguration}. Prints
 * {@code FERRITE-NODE-READY member=<id>} once started. An archive that refuses to start because its newest segment
 * ends in a torn write is repaired ({@link ArchiveRepair}) and the start retried once.
 */
public final class ReplicaNodeMain
{
    private ReplicaNodeMain()
    {
    }

    public static void main(final String[] args)
    {
        try
        {
            run();
        }
        catch (final Throwable ex)
        {
            // a launch that failed half way can leave non-daemon threads (a started media driver's) and the shutdown
            // barrier's signal handlers behind: without an exit the process would linger, deaf to SIGTERM
            System.out.println("FERRITE-NODE-FAILED member=" + Integer.getInteger("ferrite.node.member", 0) +
                " did not start: " + ex);
            ex.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }

    private static void run()
    {
        DataStoreConfiguration.refuseEmbeddedForOneMemberProcess();
        final int member = Integer.getInteger("ferrite.node.member", 0);
        final String descriptionFile = System.getProperty("ferrite.cluster.description");
        final ClusterDescription description = null == descriptionFile ? null :
            ClusterDescription.read(java.nio.file.Path.of(descriptionFile));
        final GroupTopology topology = null != description ? description.topology() : GroupTopology.parse(
            System.getProperty("ferrite.node.hosts", "127.0.0.1,127.0.0.1,127.0.0.1"),
            ReplicationConfiguration.portBase());
        final String groupList = System.getProperty("ferrite.node.groups");
        final int[] groups = null == groupList && null != description ? description.groupIds() :
            Arrays.stream((null == groupList ? "0" : groupList).split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        final File dir = new File(System.getProperty("ferrite.node.dir", "ferrite-data/node-" + member));
        final ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
        final String[] failure = { null };
        final java.util.function.Consumer<ReplicaNode> onFailure = (failed) ->
        {
            failure[0] = failed.failure();
            barrier.signal();
        };
        final ReplicaNode launched;
        try
        {
            launched = launch(member, topology, groups, dir, description, onFailure);
        }
        catch (final RuntimeException ex)
        {
            // the barrier's shutdown hook waits for its close: unclosed, it would hold the exit forever
            barrier.close();
            throw ex;
        }

        Throwable closeError = null;
        try (barrier; ReplicaNode node = launched)
        {
            if (Boolean.getBoolean("ferrite.node.exit.with.parent"))
            {
                ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(barrier::signal));
            }
            System.out.println("FERRITE-NODE-READY member=" + node.memberId() + " groups=" + Arrays.toString(groups) +
                " dir=" + dir);
            System.out.flush();
            barrier.await();
        }
        catch (final Throwable ex)
        {
            // a failed node's close can fail too (its mapped files sit on a full disk): it must still exit, and not
            // linger kept alive by a thread the failed close left behind
            closeError = ex;
        }
        if (null != failure[0] || null != closeError)
        {
            final String reason = null != failure[0] ? failure[0] : "";
            System.out.println("FERRITE-NODE-FAILED member=" + member + " " + reason +
                (null != closeError ? " (close failed: " + closeError + ")" : ""));
            System.out.flush();
            System.exit(3);
        }
        System.out.println("FERRITE-NODE-STOPPED member=" + member);
    }

    private static ReplicaNode launch(
        final int member,
        final GroupTopology topology,
        final int[] groups,
        final File dir,
        final ClusterDescription description,
        final java.util.function.Consumer<ReplicaNode> onFailure)
    {
        try
        {
            return ReplicaNode.launch(context(member, topology, groups, dir, description).onFailure(onFailure));
        }
        catch (final RuntimeException ex)
        {
            if (!ArchiveRepair.isTornTail(ex))
            {
                throw ex;
            }
            System.out.println("ferrite replication: " + ex.getMessage().lines().findFirst().orElse(""));
            ArchiveRepair.truncateTornTails(new File(dir, "archive"), System.out);
            return ReplicaNode.launch(context(member, topology, groups, dir, description).onFailure(onFailure));
        }
    }

    private static ReplicaNodeContext context(
        final int member,
        final GroupTopology topology,
        final int[] groups,
        final File dir,
        final ClusterDescription description)
    {
        final ReplicaNodeContext ctx = new ReplicaNodeContext()
            .memberId(member)
            .topology(topology)
            .groups(groups)
            .baseDir(dir)
            .deleteOnStart(Boolean.getBoolean("ferrite.node.delete.on.start"))
            .storeCapacityBytes(Long.getLong("ferrite.engine.capacity.bytes", 64L * 1024 * 1024))
            .storeMaxEntries(Long.getLong("ferrite.engine.max.entries", 0));
        if (null != description)
        {
            ctx.partitionCount(description.partitions()).clusterGroupCount(description.groups());
        }
        return ctx;
    }
}
