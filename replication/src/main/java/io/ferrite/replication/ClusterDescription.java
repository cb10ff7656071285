package io.ferrite.replication;

import io.ferrite.codec.PartitionHash;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What a partitioned cluster is made of, as a small properties file written by {@code ferrite cluster create}
 * and read by nodes, clients and the CLI:
 * <pre>
 *   partitions=271                                  fixed for the cluster's life
 *   groups=2                                        replica groups, ids 0..groups-1
 *   hosts=h0,h1,h2                                  member m of every group runs on host m (one node per host)
 *   port.base=21000                                 where the members' ports start (see GroupTopology)
 *   group.0.ingress=0=h0:21100,1=h1:21110,2=h2:21120   clients' endpoints of each group (written out in full)
 *   group.0.members=0,h0:21100,...|1,...            Aeron Cluster member string of each group
 * </pre>
 * The endpoint lines are what clients read, so a group's addresses are listed, not recomputed. Partition
 * {@code p} starts on group {@code p * groups / partitions} (contiguous ranges); the map then lives in group 0's
 * replicated state.
 * <b>Note:</b> immutable.
 */
public final class ClusterDescription
{
    private final int partitions;
    private final int groups;
    private final GroupTopology topology;
    private final String[] ingress;

    private ClusterDescription(final int partitions, final int groups, final GroupTopology topology,
        final String[] ingress)
    {
        this.partitions = PartitionHash.checkPartitionCount(partitions);
        if (groups < 1 || groups > partitions || groups > GroupTopology.maxGroups(topology.portBase()))
        {
            throw new IllegalArgumentException("groups must be in [1, min(partitions, " +
                GroupTopology.maxGroups(topology.portBase()) + ")]: " + groups);
        }
        this.groups = groups;
        this.topology = topology;
        this.ingress = ingress;
    }

    /**
     * A cluster of {@code groups} groups over {@code hosts} (member m of every group on host m).
     */
    public static ClusterDescription create(
        final int partitions, final int groups, final String hosts, final int portBase)
    {
        final GroupTopology topology = GroupTopology.parse(hosts, portBase);
        final String[] ingress = new String[groups];
        for (int g = 0; g < groups; g++)
        {
            ingress[g] = topology.ingressEndpoints(g);
        }
        return new ClusterDescription(partitions, groups, topology, ingress);
    }

    /**
     * Read a description file.
     *
     * @throws IllegalArgumentException if it is missing or incomplete, in one sentence.
     */
    public static ClusterDescription read(final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException("no cluster description at " + file +
                " (create one with: ferrite cluster create)");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final int partitions = intProperty(properties, "partitions", file);
        final int groups = intProperty(properties, "groups", file);
        final String hosts = stringProperty(properties, "hosts", file);
        final int portBase = intProperty(properties, "port.base", file);
        final ClusterDescription derived = create(partitions, groups, hosts, portBase);
        final String[] ingress = new String[groups];
        for (int g = 0; g < groups; g++)
        {
            ingress[g] = properties.getProperty("group." + g + ".ingress", derived.ingress[g]).trim();
        }
        return new ClusterDescription(partitions, groups, derived.topology, ingress);
    }

    /**
     * Write this description to {@code file}.
     */
    public void write(final Path file)
    {
        final StringBuilder sb = new StringBuilder()
            .append("# Ferrite cluster description (ferrite cluster create).\n")
            .append("# Partition p starts on group p * groups / partitions;\n")
            .append("# member m of every group runs on host m. The partition count never changes.\n")
            .append("partitions=").append(partitions).append('\n')
            .append("groups=").append(groups).append('\n')
            .append("hosts=").append(topology.hosts()).append('\n')
            .append("port.base=").append(topology.portBase()).append('\n');
        for (int g = 0; g < groups; g++)
        {
            sb.append("group.").append(g).append(".ingress=").append(ingress[g]).append('\n');
            sb.append("group.").append(g).append(".members=").append(topology.clusterMembers(g)).append('\n');
        }
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            writer.write(sb.toString());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public int partitions()
    {
        return partitions;
    }

    public int groups()
    {
        return groups;
    }

    public GroupTopology topology()
    {
        return topology;
    }

    /**
     * Every group's ingress endpoints, group id = position.
     */
    public String[] ingressEndpoints()
    {
        return ingress.clone();
    }

    /**
     * All group ids, 0 to {@code groups - 1}.
     */
    public int[] groupIds()
    {
        final int[] ids = new int[groups];
        for (int g = 0; g < groups; g++)
        {
            ids[g] = g;
        }
        return ids;
    }

    private static int intProperty(final Properties properties, final String name, final Path file)
    {
        final String value = stringProperty(properties, name, file);
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(file + ": " + name + " must be a number: " + value);
        }
    }

    private static String stringProperty(final Properties properties, final String name, final Path file)
    {
        final String value = properties.getProperty(name);
        if (null == value || value.isBlank())
        {
            throw new IllegalArgumentException(file + " has no " + name + " line");
        }
        return value.trim();
    }
}
