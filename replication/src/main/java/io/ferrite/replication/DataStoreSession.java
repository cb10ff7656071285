package io.ferrite.replication;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.ferrite.transport.CredentialsVerifier;

import java.util.concurrent.TimeUnit;

/**
 * The one place the datastore session of a group member is configured: the ordinary client session of its own
 * group through which a leader sends its database outcomes into the log (see
 * {@link io.ferrite.replication.datastore.DataStorePolicy}). It presents the member's own login (an admin user when
 * authentication is on), as the outcome templates are admin-only.
 * <b>Note:</b> stateless.
 */
final class DataStoreSession
{
    private static final EgressListener IGNORE_EGRESS = (sessionId, timestamp, buffer, offset, length, header) -> { };

    private DataStoreSession()
    {
    }

    /**
     * A fresh context (never reused) for {@code group}'s datastore session on this member's Aeron client.
     */
    static AeronCluster.Context context(final ReplicaNodeContext ctx, final int group, final Aeron aeron)
    {
        final GroupTopology topology = ctx.topology();
        final String termLength = "term-length=" + ctx.termLength();
        return new AeronCluster.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .ingressChannel("aeron:udp?" + termLength)
            .ingressEndpoints(topology.ingressEndpoints(group))
            .egressChannel("aeron:udp?endpoint=" + topology.host(ctx.memberId()) + ":0|" + termLength)
            .egressListener(IGNORE_EGRESS)
            .credentialsSupplier(CredentialsVerifier.credentialsSupplier(ctx.credentials()))
            .messageTimeoutNs(TimeUnit.SECONDS.toNanos(2));
    }
}
