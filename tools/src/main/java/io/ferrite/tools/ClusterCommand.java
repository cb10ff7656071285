package io.ferrite.tools;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.ClientContext;
import io.aeron.Aeron;
import io.aeron.cluster.ClusterControl;
import io.ferrite.replication.ClusterStatus;
import io.ferrite.replication.datastore.DataStoreConfiguration;
import io.ferrite.replication.datastore.DataStoreStatus;
import io.ferrite.replication.GroupTopology;
import io.ferrite.replication.ReplicaNode;
import io.ferrite.replication.ReplicaNodeContext;
import io.ferrite.replication.ReplicationConfiguration;
import io.ferrite.replication.StandbyBackup;
import org.agrona.CloseHelper;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.agrona.concurrent.status.AtomicCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferrite cluster}: run and inspect replica groups (Raft through Aeron Cluster).
 */
@Command(
    name = "cluster",
    description = "Run and inspect replicated partition groups.",
    subcommands = {
        ClusterCommand.Start.class, ClusterCommand.Node.class, ClusterCommand.Status.class,
        ClusterCommand.Snapshot.class, ClusterCommand.Backup.class, ClusterCreateCommand.class,
        ClusterPartitionsCommand.class })
final class ClusterCommand implements Runnable
{
    public void run()
    {
        new picocli.CommandLine(this).usage(System.out);
    }

    /**
     * Where the group's members are: shared by every cluster subcommand.
     */
    static final class TopologyOptions
    {
        @Option(names = "--hosts", description = "Member hosts, member id = position (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1,127.0.0.1,127.0.0.1")
        String hosts;

        @Option(names = "--port-base", description = "First port of the group port range (default: ${DEFAULT-VALUE}).",
            defaultValue = "" + ReplicationConfiguration.PORT_BASE_DEFAULT)
        int portBase;

        @Option(names = "--groups", split = ",", description = "Group ids (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
        int[] groups;

        GroupTopology topology()
        {
            return GroupTopology.parse(hosts, portBase);
        }
    }

    @Command(name = "start", description = "Start a local group of members in this process (a demo or a dev " +
        "cluster); with --demo it writes, reads, kills the leader, reads again and exits.")
    static final class Start implements Callable<Integer>
    {
        @Mixin
        TopologyOptions options;

        @Option(names = "--dir", description = "Base directory (default: ${DEFAULT-VALUE}).",
            defaultValue = "ferrite-data/cluster")
        File dir;

        @Option(names = "--demo", description = "Show replication and failover, then exit.")
        boolean demo;

        @Option(names = "--partitions", description = "Run the groups as one partitioned cluster of this many " +
            "partitions (groups must be 0..G-1) and write its description to --cluster (default: not partitioned).",
            defaultValue = "0")
        int partitions;

        @Option(names = "--cluster", description = "Where --partitions writes the cluster description " +
            "(default: ${DEFAULT-VALUE}).", defaultValue = ClusterFileOptions.DEFAULT_FILE)
        java.nio.file.Path descriptionFile;

        public Integer call() throws Exception
        {
            if (partitions > 0)
            {
                for (int i = 0; i < options.groups.length; i++)
                {
                    if (options.groups[i] != i)
                    {
                        throw new IllegalArgumentException("a partitioned cluster's groups are 0.." +
                            (options.groups.length - 1) + ": " + Arrays.toString(options.groups));
                    }
                }
                final io.ferrite.replication.ClusterDescription description =
                    io.ferrite.replication.ClusterDescription.create(partitions, options.groups.length, options.hosts,
                    options.portBase);
                description.write(descriptionFile);
                System.out.printf("Partitioned cluster: %d partitions over %d groups; description in %s%n",
                    partitions, options.groups.length, descriptionFile);
            }
            return run(options.topology(), options.groups, dir, demo, partitions);
        }

        /**
         * Start every member of {@code groups} in this process; with {@code demo}, show replication and a failover
         * and return, otherwise run until Ctrl-C.
         */
        static int run(final GroupTopology topology, final int[] groups, final File dir, final boolean demo)
        {
            return run(topology, groups, dir, demo, 0);
        }

        static int run(
            final GroupTopology topology, final int[] groups, final File dir, final boolean demo, final int partitions)
        {
            final List<ReplicaNode> nodes = new ArrayList<>();
            try
            {
                for (int m = 0; m < topology.memberCount(); m++)
                {
                    nodes.add(ReplicaNode.launch(new ReplicaNodeContext()
                        .memberId(m)
                        .topology(topology)
                        .groups(groups)
                        .baseDir(new File(dir, "member-" + m))
                        .partitionCount(partitions)
                        .clusterGroupCount(partitions > 0 ? groups.length : 0)
                        .deleteOnStart(true)));
                }
                System.out.printf("Started %d members of group(s) %s on ports %d+ (dirs under %s)%n",
                    topology.memberCount(), Arrays.toString(groups), topology.portBase(), dir);
                if (demo)
                {
                    return demo(topology, groups[0], nodes);
                }
                System.out.print(ClusterStatus.format(ClusterStatus.read(topology, groups)));
                System.out.println("Running; Ctrl-C stops.");
                try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
                {
                    barrier.await();
                }
                return 0;
            }
            finally
            {
                for (int i = nodes.size() - 1; i >= 0; i--)
                {
                    CloseHelper.quietClose(nodes.get(i));
                }
            }
        }

        private static int demo(final GroupTopology topology, final int group, final List<ReplicaNode> nodes)
        {
            try (FerriteClient client = FerriteClient.connect(new ClientContext()
                .group(topology.ingressEndpoints(group))
                .staleReadEndpoints(topology.staleReadEndpoints(group))))
            {
                final long start = System.nanoTime();
                for (int i = 0; i < 1000; i++)
                {
                    client.put(("user:" + i).getBytes(StandardCharsets.UTF_8),
                        ("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8));
                }
                System.out.printf("1,000 replicated puts, one at a time, each acknowledged by a majority: %d ms%n",
                    (System.nanoTime() - start) / 1_000_000);
                System.out.println("get user:42 (linearizable, through the log) -> " + new String(
                    client.get("user:42".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
                System.out.println("compareAndSet user:42 {\"id\":42} -> {\"id\":42,\"v\":2}: " +
                    client.compareAndSet("user:42".getBytes(StandardCharsets.UTF_8),
                    "{\"id\":42}".getBytes(StandardCharsets.UTF_8),
                    "{\"id\":42,\"v\":2}".getBytes(StandardCharsets.UTF_8)));
                System.out.print(ClusterStatus.format(ClusterStatus.read(topology, group)));
                final int leader = client.leaderMemberId();
                System.out.printf("Stopping the leader (member %d)...%n", leader);
                final long killed = System.nanoTime();
                nodes.get(leader).close();
                client.put("after-failover".getBytes(StandardCharsets.UTF_8), "ok".getBytes(StandardCharsets.UTF_8));
                System.out.printf("New leader member %d took a write %d ms later; user:42 -> %s%n",
                    client.leaderMemberId(), (System.nanoTime() - killed) / 1_000_000, new String(
                    client.get("user:42".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
                System.out.println("Possibly-stale read from the new leader's own copy: user:7 -> " + new String(
                    client.getPossiblyStale("user:7".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
            }
            return 0;
        }
    }

    @Command(name = "node", description = "Run one member of each given group until Ctrl-C (one per host).")
    static final class Node implements Callable<Integer>
    {
        @Mixin
        TopologyOptions options;

        @Option(names = "--member", required = true, description = "This member's id (its position in --hosts).")
        int member;

        @Option(names = "--dir", description = "Base directory (default: ferrite-data/member-<id>).")
        File dir;

        @Option(names = "--fresh", description = "Delete this member's state first.")
        boolean fresh;

        @Option(names = "--capacity-mib", description = "Store capacity per group in MiB (default: ${DEFAULT-VALUE}).",
            defaultValue = "64")
        long capacityMib;

        public Integer call()
        {
            DataStoreConfiguration.refuseEmbeddedForOneMemberProcess();
            final File base = null == dir ? new File("ferrite-data/member-" + member) : dir;
            final String[] failure = { null };
            try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
                ReplicaNode node = ReplicaNode.launch(new ReplicaNodeContext()
                    .memberId(member)
                    .topology(options.topology())
                    .groups(options.groups)
                    .baseDir(base)
                    .deleteOnStart(fresh)
                    .storeCapacityBytes(capacityMib << 20)
                    .onFailure((failed) ->
                    {
                        failure[0] = failed.failure();
                        barrier.signal();
                    })))
            {
                System.out.printf("Member %d of group(s) %s running (dir %s, driver %s); Ctrl-C stops.%n",
                    node.memberId(), Arrays.toString(options.groups), base, node.aeronDirectoryName());
                barrier.await();
            }
            if (null != failure[0])
            {
                System.err.println("ferrite cluster node: failed: " + failure[0]);
                return 3;
            }
            return 0;
        }
    }

    @Command(name = "status", description = "Show members, roles, commit and applied log positions and lag of " +
        "the local members' groups.")
    static final class Status implements Callable<Integer>
    {
        @Mixin
        TopologyOptions options;

        public Integer call()
        {
            System.out.print(ClusterStatus.format(ClusterStatus.read(options.topology(), options.groups)));
            System.out.print(DataStoreStatus.format(DataStoreStatus.read(options.topology(), options.groups)));
            for (int member = 0; member < options.topology().memberCount(); member++)
            {
                final long[] security = ClusterStatus.securityCounters(
                    ReplicaNodeContext.defaultAeronDirectoryName(options.portBase, member));
                if (security[0] >= 0)
                {
                    System.out.printf("member %d: %d refused authentications, %d refused commands%n", member,
                        security[0], security[1]);
                }
            }
            return 0;
        }
    }

    @Command(name = "snapshot", description = "Ask a group to take a snapshot now (sent to a local member; " +
        "acts when that member leads).")
    static final class Snapshot implements Callable<Integer>
    {
        @Mixin
        TopologyOptions options;

        @Option(names = "--member", description = "The local member to ask (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
        int member;

        public Integer call()
        {
            final String aeronDir = ReplicaNodeContext.defaultAeronDirectoryName(options.portBase, member);
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir)))
            {
                for (final int group : options.groups)
                {
                    final AtomicCounter toggle = ClusterControl.findControlToggle(aeron.countersReader(), group);
                    if (null == toggle)
                    {
                        System.err.printf("group %d: member %d has no control toggle (not running?)%n", group, member);
                        return 2;
                    }
                    final boolean accepted = ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
                    System.out.printf("group %d: snapshot %s%n", group, accepted ? "requested" :
                        "not accepted (another control action is pending)");
                }
            }
            return 0;
        }
    }

    @Command(name = "backup", description = "Run an asynchronous standby of a group (Aeron ClusterBackup) that " +
        "copies its snapshots and follows its log, for disaster recovery, until Ctrl-C.")
    static final class Backup implements Callable<Integer>
    {
        @Mixin
        TopologyOptions options;

        @Option(names = "--host", description = "Address the standby listens on (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1")
        String host;

        @Option(names = "--dir", description = "Standby directory (default: ${DEFAULT-VALUE}).",
            defaultValue = "ferrite-data/standby")
        File dir;

        public Integer call()
        {
            final int group = options.groups[0];
            try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
                StandbyBackup standby = StandbyBackup.launch(options.topology(), group, host, new File(dir,
                    "group-" + group)))
            {
                System.out.printf("Standby of group %d running in %s (state %s); Ctrl-C stops.%n", group,
                    standby.clusterDir(), standby.state());
                barrier.await();
            }
            return 0;
        }
    }
}
