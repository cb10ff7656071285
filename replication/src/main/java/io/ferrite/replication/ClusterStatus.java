package io.ferrite.replication;

import io.aeron.Aeron;
import io.aeron.AeronCounters;
import io.aeron.CncFileDescriptor;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.Cluster;
import org.agrona.DirectBuffer;
import io.ferrite.transport.CredentialsVerifier;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the state of the members of local replica groups from their media drivers' counters files, from another
 * process: role, election state, commit position, applied position and lag. A member whose driver is not running
 * is reported unreachable.
 */
public final class ClusterStatus
{
    /**
     * What one member of one group reports.
     *
     * @param member          member id.
     * @param group           group id.
     * @param reachable       whether its driver's counters could be read.
     * @param role            LEADER, FOLLOWER or CANDIDATE, or "?" when unknown.
     * @param electionState   the election state name ("CLOSED" outside elections).
     * @param commitPosition  the log position the member knows to be committed.
     * @param appliedPosition the log position its service has applied.
     */
    public record MemberStatus(
        int member,
        int group,
        boolean reachable,
        String role,
        String electionState,
        long commitPosition,
        long appliedPosition)
    {
        /**
         * Bytes of committed log the service has not applied yet.
         */
        public long applyLag()
        {
            return Math.max(0, commitPosition - appliedPosition);
        }
    }

    /**
     * A member's published store digest ({@link StoreDigestPublisher}, enabled by its system property).
     *
     * @param member   member id.
     * @param group    group id.
     * @param position the applied log position the digest was taken at, or -1 if none is published (yet).
     * @param digest   the digest of the store's live entries at {@code position}.
     */
    public record StoreDigest(int member, int group, long position, long digest)
    {
    }

    private ClusterStatus()
    {
    }

    /**
     * The store digest each member of {@code group} published last, found by its default Aeron directory; a member
     * that is down or publishes none reports position -1.
     */
    public static List<StoreDigest> readDigests(final GroupTopology topology, final int group)
    {
        final List<StoreDigest> result = new ArrayList<>();
        for (int member = 0; member < topology.memberCount(); member++)
        {
            final String dir = ReplicaNodeContext.defaultAeronDirectoryName(topology.portBase(), member);
            long[] pair = { -1, 0 };
            if (new File(dir, CncFileDescriptor.CNC_FILE).exists())
            {
                try (Aeron aeron = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(dir)
                    .driverTimeoutMs(2000)
                    .useConductorAgentInvoker(true)))
                {
                    pair = readDigest(aeron.countersReader(), group);
                }
                catch (final RuntimeException ex)
                {
                    pair = new long[]{ -1, 0 };
                }
            }
            result.add(new StoreDigest(member, group, pair[0], pair[1]));
        }
        return result;
    }

    /**
     * Refusals counted on the node whose media driver is at {@code aeronDir}: authentication attempts refused by
     * its groups' ingress and its archive (unknown user, bad secret, malformed credentials, role too low for the
     * archive), and commands refused for their session's role. Both are 0 for a node without authentication.
     *
     * @return {refused authentications, refused commands}, or {-1, -1} if the driver cannot be reached.
     */
    public static long[] securityCounters(final String aeronDir)
    {
        final long[] totals = { 0, 0 };
        if (!new File(aeronDir, CncFileDescriptor.CNC_FILE).exists())
        {
            return new long[]{ -1, -1 };
        }
        try (Aeron aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(aeronDir)
            .driverTimeoutMs(2000)
            .useConductorAgentInvoker(true)))
        {
            final CountersReader counters = aeron.countersReader();
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (CredentialsVerifier.AUTH_FAILURES_TYPE_ID == typeId)
                {
                    totals[0] += counters.getCounterValue(counterId);
                }
                else if (AccessControl.PERMISSION_DENIED_TYPE_ID == typeId)
                {
                    totals[1] += counters.getCounterValue(counterId);
                }
            });
            return totals;
        }
        catch (final RuntimeException ex)
        {
            return new long[]{ -1, -1 };
        }
    }

    static long authFailures(final String aeronDir)
    {
        return securityCounters(aeronDir)[0];
    }

    private static long[] readDigest(final CountersReader counters, final int group)
    {
        final int[] ids = { -1, -1 };
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (clusterIdOf(keyBuffer) == group)
            {
                if (StoreDigestPublisher.DIGEST_POSITION_TYPE_ID == typeId)
                {
                    ids[0] = counterId;
                }
                else if (StoreDigestPublisher.DIGEST_TYPE_ID == typeId)
                {
                    ids[1] = counterId;
                }
            }
        });
        if (ids[0] < 0 || ids[1] < 0)
        {
            return new long[]{ -1, 0 };
        }
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final long before = counters.getCounterValue(ids[0]);
            final long digest = counters.getCounterValue(ids[1]);
            final long after = counters.getCounterValue(ids[0]);
            if (before == after && before >= 0)
            {
                return new long[]{ before, digest };
            }
            Thread.onSpinWait();
        }
        return new long[]{ -1, 0 };
    }

    /**
     * Status of every member of {@code groups} in {@code topology}, each found by its default Aeron directory.
     */
    public static List<MemberStatus> read(final GroupTopology topology, final int... groups)
    {
        final List<MemberStatus> result = new ArrayList<>();
        for (int member = 0; member < topology.memberCount(); member++)
        {
            final String dir = ReplicaNodeContext.defaultAeronDirectoryName(topology.portBase(), member);
            result.addAll(readMember(dir, member, groups));
        }
        return result;
    }

    static List<MemberStatus> readMember(final String aeronDir, final int member, final int... groups)
    {
        final List<MemberStatus> result = new ArrayList<>();
        if (!new File(aeronDir, CncFileDescriptor.CNC_FILE).exists())
        {
            for (final int group : groups)
            {
                result.add(new MemberStatus(member, group, false, "?", "?", -1, -1));
            }
            return result;
        }
        try (Aeron aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(aeronDir)
            .driverTimeoutMs(2000)
            .useConductorAgentInvoker(true)))
        {
            final CountersReader counters = aeron.countersReader();
            for (final int group : groups)
            {
                final long[] values = { -1, -1, -1, -1 };
                counters.forEach((counterId, typeId, keyBuffer, label) ->
                {
                    final int slot = slot(typeId);
                    if (slot >= 0 && clusterIdOf(keyBuffer) == group)
                    {
                        values[slot] = counters.getCounterValue(counterId);
                    }
                });
                result.add(new MemberStatus(member, group, true, roleName(values[0]), electionName(values[1]),
                    values[2], values[3]));
            }
        }
        catch (final RuntimeException ex)
        {
            for (final int group : groups)
            {
                result.add(new MemberStatus(member, group, false, "?", "?", -1, -1));
            }
        }
        return result;
    }

    private static int slot(final int typeId)
    {
        switch (typeId)
        {
            case AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID:
                return 0;
            case AeronCounters.CLUSTER_ELECTION_STATE_TYPE_ID:
                return 1;
            case AeronCounters.CLUSTER_COMMIT_POSITION_TYPE_ID:
                return 2;
            case FerriteClusteredService.APPLIED_POSITION_TYPE_ID:
                return 3;
            default:
                return -1;
        }
    }

    private static int clusterIdOf(final DirectBuffer keyBuffer)
    {
        return keyBuffer.getInt(0);
    }

    private static String roleName(final long code)
    {
        return code < 0 ? "?" : Cluster.Role.get(code).name();
    }

    private static String electionName(final long code)
    {
        return code < 0 ? "?" : ElectionState.get(code).name();
    }

    /**
     * A table for people: one line per member and group.
     */
    public static String format(final List<MemberStatus> statuses)
    {
        final StringBuilder sb = new StringBuilder(String.format("%-6s %-6s %-10s %-10s %16s %16s %12s%n",
            "group", "member", "role", "election", "commit-pos", "applied-pos", "apply-lag"));
        for (final MemberStatus s : statuses)
        {
            if (!s.reachable())
            {
                sb.append(String.format("%-6d %-6d %-10s%n", s.group(), s.member(), "DOWN"));
            }
            else
            {
                sb.append(String.format("%-6d %-6d %-10s %-10s %16d %16d %12d%n", s.group(), s.member(), s.role(),
                    s.electionState(), s.commitPosition(), s.appliedPosition(), s.applyLag()));
            }
        }
        return sb.toString();
    }
}
