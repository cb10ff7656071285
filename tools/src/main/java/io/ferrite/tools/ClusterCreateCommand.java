package io.ferrite.tools;

import io.ferrite.codec.PartitionHash;
import io.ferrite.replication.ClusterDescription;
import io.ferrite.replication.ReplicationConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ferrite cluster create}: write the description of a partitioned cluster of G groups over N hosts.
 */
@Command(name = "create", description = "Write the description of a new partitioned cluster (hosts, groups, " +
    "partitions, every group's endpoints); nodes, clients and the CLI read it.")
final class ClusterCreateCommand implements Callable<Integer>
{
    @Option(names = "--hosts", description = "Hosts, one member of every group per host (default: ${DEFAULT-VALUE}).",
        defaultValue = "127.0.0.1,127.0.0.1,127.0.0.1")
    String hosts;

    @Option(names = "--group-count", description = "Replica groups (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int groups;

    @Option(names = "--partitions", description = "Partitions, fixed for the cluster's life (default: " +
        "${DEFAULT-VALUE}).", defaultValue = "" + PartitionHash.DEFAULT_PARTITION_COUNT)
    int partitions;

    @Option(names = "--port-base", description = "First port (default: ${DEFAULT-VALUE}).",
        defaultValue = "" + ReplicationConfiguration.PORT_BASE_DEFAULT)
    int portBase;

    @Option(names = "--out", description = "File to write (default: ${DEFAULT-VALUE}).",
        defaultValue = ClusterFileOptions.DEFAULT_FILE)
    Path out;

    public Integer call()
    {
        final ClusterDescription description = ClusterDescription.create(partitions, groups, hosts, portBase);
        description.write(out);
        System.out.printf("Wrote %s: %d partitions over %d groups of %d members.%n", out, partitions, groups,
            description.topology().memberCount());
        for (int g = 0; g < groups; g++)
        {
            System.out.printf("  group %d: %s%n", g, description.ingressEndpoints()[g]);
        }
        System.out.printf("Start member m on host m with:%n  java -Dferrite.cluster.description=%s " +
            "-Dferrite.node.member=m -cp ferrite.jar io.ferrite.replication.ReplicaNodeMain%n", out);
        return 0;
    }
}
