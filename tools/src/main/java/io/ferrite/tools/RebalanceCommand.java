package io.ferrite.tools;

import io.ferrite.replication.ClusterAdmin;
import io.ferrite.replication.MoveStatus;
import io.ferrite.replication.PartitionMap;
import io.ferrite.replication.PartitionMover;
import io.ferrite.replication.PlanStatus;
import io.ferrite.replication.PlannedMove;
import io.ferrite.replication.RebalancePlanner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferrite rebalance}: plan, apply, follow, resume and cancel partition moves between groups. The plan and
 * its progress live in group 0, so {@code status}, {@code resume} and {@code cancel} work from any machine.
 */
@Command(
    name = "rebalance",
    description = "Even out partitions over the groups, online: plan shows the moves, apply runs them.",
    subcommands = {
        RebalanceCommand.Plan.class, RebalanceCommand.Apply.class, RebalanceCommand.Status.class,
        RebalanceCommand.Resume.class, RebalanceCommand.Cancel.class })
final class RebalanceCommand implements Runnable
{
    public void run()
    {
        new picocli.CommandLine(this).usage(System.out);
    }

    /**
     * What the planner aims at.
     */
    static final class PlanOptions
    {
        @Option(names = "--weight", split = ",", description = "Group weights as GROUP=WEIGHT (default 1 each; " +
            "0 drains a group), e.g. --weight 2=0 to empty group 2.")
        String[] weights;

        @Option(names = "--threshold", description = "Move nothing unless a group is further than this percent " +
            "from its share (default: ${DEFAULT-VALUE}).", defaultValue = "2")
        double threshold;

        double[] weights(final int groups)
        {
            final double[] result = new double[groups];
            java.util.Arrays.fill(result, 1.0);
            if (null != weights)
            {
                for (final String weight : weights)
                {
                    final String[] parts = weight.split("=");
                    if (2 != parts.length)
                    {
                        throw new IllegalArgumentException("a weight is GROUP=WEIGHT: " + weight);
                    }
                    final int group = Integer.parseInt(parts[0].trim());
                    if (group < 0 || group >= groups)
                    {
                        throw new IllegalArgumentException("unknown group " + group + " (the cluster has " + groups +
                            ")");
                    }
                    result[group] = Double.parseDouble(parts[1].trim());
                }
            }
            return result;
        }

        List<PlannedMove> plan(final PartitionMap map)
        {
            return RebalancePlanner.plan(map, null, weights(map.groupCount()), threshold,
                RebalancePlanner.Balance.PARTITIONS);
        }
    }

    /**
     * How fast a move copies.
     */
    static final class ApplyOptions
    {
        @Option(names = "--throttle-mb", description = "Copy at most this many MiB/s (0: unthrottled; default: " +
            "${DEFAULT-VALUE}).", defaultValue = "16")
        double throttleMb;

        @Option(names = "--batch-entries", description = "Entries per copied batch (default: ${DEFAULT-VALUE}).",
            defaultValue = "256")
        int batchEntries;

        PartitionMover mover(final ClusterAdmin admin, final PartitionMover.ProgressListener listener)
        {
            return new PartitionMover(admin, (long)(throttleMb * 1024 * 1024), batchEntries, 256 * 1024, listener);
        }
    }

    static void printPlan(final PrintStream out, final PartitionMap map, final List<PlannedMove> moves)
    {
        final int[] after = map.counts();
        for (final PlannedMove move : moves)
        {
            after[move.fromGroup()]--;
            after[move.toGroup()]++;
        }
        out.printf("Map epoch %d, %d partitions over %d groups.%n", map.epoch(), map.partitionCount(),
            map.groupCount());
        for (int g = 0; g < map.groupCount(); g++)
        {
            out.printf("  group %d: %d partitions -> %d%n", g, map.counts()[g], after[g]);
        }
        if (moves.isEmpty())
        {
            out.println("Balanced within the threshold: nothing to move.");
            return;
        }
        out.printf("%d move(s):%n", moves.size());
        for (final PlannedMove move : moves)
        {
            out.printf("  move partition %d: group %d -> %d%n", move.partition(), move.fromGroup(), move.toGroup());
        }
    }

    static int runPlan(final ClusterAdmin admin, final ApplyOptions options, final PlanStatus plan)
    {
        final int total = plan.moves().size();
        final int done = (int)plan.moves().stream().filter(MoveStatus::isFinished).count();
        final PlanStatus result = options.mover(admin, new ProgressPrinter(System.out, total, done)).apply();
        printStatus(System.out, result);
        return null == result.running() ? 0 : 1;
    }

    static void printStatus(final PrintStream out, final PlanStatus plan)
    {
        if (0 == plan.planId())
        {
            out.println("No rebalance plan recorded.");
            return;
        }
        final long done = plan.moves().stream().filter(m -> "DONE".equals(m.state())).count();
        out.printf("Plan %d: %d of %d moves done%s.%n", plan.planId(), done, plan.moves().size(),
            null == plan.running() ? "" : " (running or interrupted: 'ferrite rebalance resume' continues it)");
        for (final MoveStatus move : plan.moves())
        {
            out.printf("  partition %4d: group %d -> %d  %-9s %,d entries %,d bytes%s%n", move.partition(),
                move.fromGroup(), move.toGroup(), move.state(), move.entries(), move.bytes(),
                move.mapEpoch() > 0 ? "  epoch " + move.mapEpoch() : "");
        }
    }

    @Command(name = "plan", description = "Show the moves that would even out the cluster (changes nothing).")
    static final class Plan implements Callable<Integer>
    {
        @Mixin
        ClusterFileOptions cluster;

        @Mixin
        PlanOptions options;

        public Integer call()
        {
            try (ClusterAdmin admin = cluster.admin())
            {
                final PartitionMap map = admin.partitionMap();
                printPlan(System.out, map, options.plan(map));
            }
            return 0;
        }
    }

    @Command(name = "apply", description = "Record the plan in the cluster and run it, showing progress; " +
        "Ctrl-C or a crash leaves it resumable.")
    static final class Apply implements Callable<Integer>
    {
        @Mixin
        ClusterFileOptions cluster;

        @Mixin
        PlanOptions options;

        @Mixin
        ApplyOptions apply;

        @Option(names = "--simulate", description = "Show the plan and stop.")
        boolean simulate;

        public Integer call()
        {
            try (ClusterAdmin admin = cluster.admin())
            {
                final PartitionMap map = admin.partitionMap();
                final List<PlannedMove> moves = options.plan(map);
                printPlan(System.out, map, moves);
                if (simulate || moves.isEmpty())
                {
                    return 0;
                }
                return runPlan(admin, apply, admin.submitPlan(moves));
            }
        }
    }

    @Command(name = "status", description = "Show the recorded plan and each move's progress (from any machine).")
    static final class Status implements Callable<Integer>
    {
        @Mixin
        ClusterFileOptions cluster;

        public Integer call()
        {
            try (ClusterAdmin admin = cluster.admin())
            {
                printStatus(System.out, admin.planStatus());
            }
            return 0;
        }
    }

    @Command(name = "resume", description = "Continue the recorded plan where it stopped (a move not cut over " +
        "is copied again).")
    static final class Resume implements Callable<Integer>
    {
        @Mixin
        ClusterFileOptions cluster;

        @Mixin
        ApplyOptions apply;

        public Integer call()
        {
            try (ClusterAdmin admin = cluster.admin())
            {
                final PlanStatus plan = admin.planStatus();
                if (null == plan.running())
                {
                    printStatus(System.out, plan);
                    System.out.println("Nothing to resume.");
                    return 0;
                }
                return runPlan(admin, apply, plan);
            }
        }
    }

    @Command(name = "cancel", description = "Stop the plan: the running move is undone (or finished, if it was " +
        "already cut over) and the rest are cancelled.")
    static final class Cancel implements Callable<Integer>
    {
        @Mixin
        ClusterFileOptions cluster;

        public Integer call()
        {
            try (ClusterAdmin admin = cluster.admin())
            {
                final PlanStatus plan = new PartitionMover(admin, 0, 256, 256 * 1024,
                    new ProgressPrinter(System.out, 1, 0)).cancel();
                printStatus(System.out, plan);
            }
            return 0;
        }
    }
}
