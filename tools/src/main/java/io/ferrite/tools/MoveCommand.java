package io.ferrite.tools;

import io.ferrite.replication.ClusterAdmin;
import io.ferrite.replication.PartitionMap;
import io.ferrite.replication.PlannedMove;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferrite move PARTITION --to GROUP}: move one partition online, as a plan of one move.
 */
@Command(name = "move", description = "Move one partition to another group, online, with progress.")
final class MoveCommand implements Callable<Integer>
{
    @Mixin
    ClusterFileOptions cluster;

    @Mixin
    RebalanceCommand.ApplyOptions apply;

    @Parameters(index = "0", description = "The partition.")
    int partition;

    @Option(names = "--to", required = true, description = "The group that will own it.")
    int toGroup;

    public Integer call()
    {
        try (ClusterAdmin admin = cluster.admin())
        {
            final PartitionMap map = admin.partitionMap();
            if (partition < 0 || partition >= map.partitionCount())
            {
                throw new IllegalArgumentException("no partition " + partition + " (the cluster has " +
                    map.partitionCount() + ")");
            }
            if (toGroup < 0 || toGroup >= map.groupCount())
            {
                throw new IllegalArgumentException("unknown group " + toGroup + " (the cluster has " +
                    map.groupCount() + ")");
            }
            if (map.owner(partition) == toGroup)
            {
                System.out.printf("Partition %d already belongs to group %d.%n", partition, toGroup);
                return 0;
            }
            return RebalanceCommand.runPlan(admin, apply,
                admin.submitPlan(List.of(new PlannedMove(partition, map.owner(partition), toGroup))));
        }
    }
}
