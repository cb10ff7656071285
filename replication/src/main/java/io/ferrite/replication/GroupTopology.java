package io.ferrite.replication;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where the members of every replica group listen: member {@code m} of every group runs on host {@code m}
 * (a node process per host), and ports are derived from one base port.
 * <pre>
 *   archive control of node m          portBase + m
 *   group g, member m, endpoint k      portBase + 100 * (g + 1) + 10 * m + k
 *       k = 0 ingress, 1 consensus, 2 log, 3 catch-up, 4 possibly-stale reads
 * </pre>
 * The number of groups is bounded only by the port range: {@link #maxGroups(int)} (444 from base 21000). A
 * {@link ClusterDescription} file lists the resulting endpoints for clients. Immutable and thread-safe.
 */
public final class GroupTopology
{
    /** Groups that fit with the default port base (more with a lower base: {@link #maxGroups(int)}). */
    public static final int MAX_GROUPS = maxGroups(ReplicationConfiguration.PORT_BASE_DEFAULT);
    public static final int MAX_MEMBERS = 10;
    static final int INGRESS_PORT = 0;
    static final int CONSENSUS_PORT = 1;
    static final int LOG_PORT = 2;
    static final int CATCHUP_PORT = 3;
    static final int STALE_READ_PORT = 4;

    private final List<String> hosts;
    private final int portBase;

    /**
     * @param hosts    one host per member, member id = position.
     * @param portBase first port of the range this topology uses.
     */
    public GroupTopology(final List<String> hosts, final int portBase)
    {
        if (hosts.isEmpty() || hosts.size() > MAX_MEMBERS)
        {
            throw new IllegalArgumentException("a group has 1 to " + MAX_MEMBERS + " members: " + hosts);
        }
        if (portBase < 1024 || portBase + 200 > 65535)
        {
            throw new IllegalArgumentException("portBase must leave room for a group's ports in [1024, 65535]: " +
                portBase);
        }
        this.hosts = Collections.unmodifiableList(new ArrayList<>(hosts));
        this.portBase = portBase;
    }

    /**
     * {@code count} members on 127.0.0.1.
     */
    public static GroupTopology local(final int count, final int portBase)
    {
        final List<String> hosts = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            hosts.add("127.0.0.1");
        }
        return new GroupTopology(hosts, portBase);
    }

    /**
     * Parse {@code "host0,host1,host2"}.
     */
    public static GroupTopology parse(final String hosts, final int portBase)
    {
        final List<String> list = new ArrayList<>();
        for (final String host : hosts.split(","))
        {
            if (!host.isBlank())
            {
                list.add(host.trim());
            }
        }
        return new GroupTopology(list, portBase);
    }

    public int memberCount()
    {
        return hosts.size();
    }

    public String host(final int member)
    {
        return hosts.get(member);
    }

    public int portBase()
    {
        return portBase;
    }

    public String hosts()
    {
        return String.join(",", hosts);
    }

    public int port(final int group, final int member, final int endpoint)
    {
        checkGroup(group);
        return portBase + 100 * (group + 1) + 10 * member + endpoint;
    }

    public String endpoint(final int group, final int member, final int endpoint)
    {
        return hosts.get(member) + ":" + port(group, member, endpoint);
    }

    public String archiveControlEndpoint(final int member)
    {
        return hosts.get(member) + ":" + (portBase + member);
    }

    /**
     * The member string Aeron Cluster expects: {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    public String clusterMembers(final int group)
    {
        final StringBuilder sb = new StringBuilder();
        for (int m = 0; m < hosts.size(); m++)
        {
            if (m > 0)
            {
                sb.append('|');
            }
            sb.append(m)
                .append(',').append(endpoint(group, m, INGRESS_PORT))
                .append(',').append(endpoint(group, m, CONSENSUS_PORT))
                .append(',').append(endpoint(group, m, LOG_PORT))
                .append(',').append(endpoint(group, m, CATCHUP_PORT))
                .append(',').append(archiveControlEndpoint(m));
        }
        return sb.toString();
    }

    /**
     * The ingress endpoints a client of {@code group} connects to: {@code 0=host:port,1=host:port,...}.
     */
    public String ingressEndpoints(final int group)
    {
        final StringBuilder sb = new StringBuilder();
        for (int m = 0; m < hosts.size(); m++)
        {
            if (m > 0)
            {
                sb.append(',');
            }
            sb.append(m).append('=').append(endpoint(group, m, INGRESS_PORT));
        }
        return sb.toString();
    }

    /**
     * Where each member of {@code group} serves possibly-stale reads: {@code 0=host:port,1=host:port,...}.
     */
    public String staleReadEndpoints(final int group)
    {
        final StringBuilder sb = new StringBuilder();
        for (int m = 0; m < hosts.size(); m++)
        {
            if (m > 0)
            {
                sb.append(',');
            }
            sb.append(m).append('=').append(endpoint(group, m, STALE_READ_PORT));
        }
        return sb.toString();
    }

    /**
     * The highest port a member of group {@code group} listens on: its possibly-stale read port.
     */
    public int highestPort(final int group)
    {
        return port(group, MAX_MEMBERS - 1, STALE_READ_PORT);
    }

    /**
     * Where {@code [from, to]} overlaps the kernel's ephemeral port range (Linux
     * {@code /proc/sys/net/ipv4/ip_local_port_range}, 32768-60999 by default), or null when it does not or the range
     * cannot be read. A port there may already be held by any outgoing socket (an Aeron sender, a JDBC connection),
     * so a member binding it fails now and then with "Address already in use".
     */
    public static int[] ephemeralOverlap(final int from, final int to)
    {
        final int[] range = ephemeralPortRange(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        if (null == range || to < range[0] || from > range[1])
        {
            return null;
        }
        return new int[]{ Math.max(from, range[0]), Math.min(to, range[1]) };
    }

    static int[] ephemeralPortRange(final Path file)
    {
        try
        {
            // a /proc file reports size 0: read it as a stream, not by its size
            final List<String> lines = Files.readAllLines(file);
            final String[] parts = lines.isEmpty() ? new String[0] : lines.get(0).trim().split("\\s+");
            return parts.length == 2 ? new int[]{ Integer.parseInt(parts[0]), Integer.parseInt(parts[1]) } : null;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return null;
        }
    }

    /**
     * How many groups of up to {@link #MAX_MEMBERS} members fit between {@code portBase} and port 65535.
     */
    public static int maxGroups(final int portBase)
    {
        return (65535 - portBase - 99) / 100;
    }

    private void checkGroup(final int group)
    {
        final int max = maxGroups(portBase);
        if (group < 0 || group >= max)
        {
            throw new IllegalArgumentException("group id must be in [0, " + max + ") with port base " + portBase +
                ": " + group);
        }
    }
}
