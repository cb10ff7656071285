package io.ferrite.tools;

import io.ferrite.replication.ClusterAdmin;
import io.ferrite.replication.ClusterDescription;
import io.ferrite.replication.ClusterStatus;
import io.ferrite.replication.PartitionMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ferrite cluster partitions}: the partition map from group 0, per group its partitions and leader.
 */
@Command(name = "partitions", description = "Show the partition map: map epoch, partitions per group (as ranges), " +
    "each group's leader (for members on this machine).")
final class ClusterPartitionsCommand implements Callable<Integer>
{
    @Mixin
    ClusterFileOptions cluster;

    public Integer call()
    {
        final ClusterDescription description = cluster.description();
        try (ClusterAdmin admin = cluster.admin())
        {
            final PartitionMap map = admin.partitionMap();
            final List<ClusterStatus.MemberStatus> statuses =
                ClusterStatus.read(description.topology(), description.groupIds());
            System.out.printf("Map epoch %d: %d partitions over %d groups.%n", map.epoch(), map.partitionCount(),
                map.groupCount());
            for (int g = 0; g < map.groupCount(); g++)
            {
                String leader = "unknown (no local member)";
                for (final ClusterStatus.MemberStatus status : statuses)
                {
                    if (status.group() == g && "LEADER".equals(status.role()))
                    {
                        leader = "member " + status.member() + " on " + description.topology().host(status.member());
                    }
                }
                System.out.printf("  group %d: %3d partitions, leader %s%n    %s%n", g, map.counts()[g], leader,
                    ranges(map, g));
            }
        }
        return 0;
    }

    static String ranges(final PartitionMap map, final int group)
    {
        final StringBuilder sb = new StringBuilder();
        int p = 0;
        while (p < map.partitionCount())
        {
            if (map.owner(p) != group)
            {
                p++;
                continue;
            }
            final int start = p;
            while (p + 1 < map.partitionCount() && map.owner(p + 1) == group)
            {
                p++;
            }
            sb.append(sb.length() == 0 ? "" : ",").append(start == p ? String.valueOf(start) : start + "-" + p);
            p++;
        }
        return sb.length() == 0 ? "(none)" : sb.toString();
    }
}
