package io.ferrite.client;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.security.AuthenticationException;
import io.ferrite.codec.sbe.ErrorCode;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The session with one replica group: an Aeron Cluster client session to its leader, connected without blocking
 * ({@link AeronCluster#asyncConnect}). Every request goes through the group's log and is answered by the leader.
 * When a new leader is announced, or the session had to be opened again, the requests in flight on it are sent again
 * with their original correlation ids (the group deduplicates writes by instance id + correlation id). Keep-alives
 * hold the session while it is idle. {@link #newClusterContext()} is the one place the cluster client is configured.
 * <p>
 * <b>Note:</b> used under the conductor's lock only.
 */
final class GroupSession extends Session implements EgressListener
{
    private static final long RETRY_CONNECT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ClientConductor conductor;
    private final Aeron aeron;
    private final ClientContext ctx;
    private final int group;
    private final String ingressEndpoints;
    private final long keepAliveIntervalNs;
    private AeronCluster cluster;
    private AeronCluster.AsyncConnect connecting;
    private long nextConnectNs;
    private long lastKeepAliveNs;
    private volatile int leaderMemberId = -1;
    private String lastConnectFailure;
    private volatile boolean closing;

    GroupSession(
        final int index, final ClientConductor conductor, final Aeron aeron, final ClientContext ctx, final int group)
    {
        super(index, ctx.instanceId());
        this.conductor = conductor;
        this.aeron = aeron;
        this.ctx = ctx;
        this.group = group;
        this.ingressEndpoints = ctx.groupEndpoints(group);
        this.keepAliveIntervalNs = ctx.heartbeatIntervalNs();
    }

    /**
     * The Aeron Cluster client settings of this group's session: a fresh context per attempt (contexts are not
     * reused), on the client's shared Aeron client.
     */
    private AeronCluster.Context newClusterContext()
    {
        final String params = "term-length=" + ctx.termLength();
        return new AeronCluster.Context()
            .aeron(aeron)
            .ownsAeronClient(false)
            .ingressChannel("aeron:udp?" + params)
            .ingressEndpoints(ingressEndpoints)
            .egressChannel("aeron:udp?endpoint=" + ctx.egressHost() + ":0|" + params)
            .egressListener(this)
            .credentialsSupplier(new PresentedCredentials(ctx.credentials()))
            .errorHandler(this::onClusterError)
            .messageTimeoutNs(ctx.connectTimeoutNs());
    }

    boolean isUp()
    {
        return null != cluster && !cluster.isClosed();
    }

    int leaderMemberId()
    {
        return leaderMemberId;
    }

    int group()
    {
        return group;
    }

    int doWork(final long nowNs)
    {
        if (null != cluster && cluster.isClosed())
        {
            CloseHelper.quietClose(cluster);
            cluster = null;
            publisher.target((AeronCluster)null);
        }
        if (null == cluster)
        {
            return connect(nowNs);
        }
        final int work = cluster.pollEgress();
        if (nowNs - lastKeepAliveNs > keepAliveIntervalNs)
        {
            lastKeepAliveNs = nowNs;
            cluster.sendKeepAlive();
        }
        return work;
    }

    /**
     * Drive the connection: start an attempt when requests wait for this group (or it never connected), poll it.
     */
    private int connect(final long nowNs)
    {
        if (null == connecting)
        {
            if (nowNs - nextConnectNs < 0 || (leaderMemberId >= 0 && !conductor.hasRequestsOn(index)) ||
                (null != refusal() && !conductor.hasRequestsOn(index)))
            {
                // reconnect only for a request: a session the group closed for idling stays closed until used
                return 0;
            }
            try
            {
                connecting = AeronCluster.asyncConnect(newClusterContext());
            }
            catch (final RuntimeException ex)
            {
                connectFailed(nowNs, ex);
                return 0;
            }
        }
        try
        {
            final AeronCluster connected = connecting.poll();
            if (null == connected)
            {
                return 1;
            }
            connecting = null;
            cluster = connected;
            publisher.target(cluster);
            leaderMemberId = cluster.leaderMemberId();
            lastKeepAliveNs = nowNs;
            lastConnectFailure = null;
            conductor.resendRoute(index);
            return 1;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(connecting);
            connecting = null;
            connectFailed(nowNs, ex);
            if (ex instanceof AuthenticationException)
            {
                refused(new FerriteRequestException(ErrorCode.AUTHENTICATION_FAILED, "group " + group +
                    " refused this client's credentials (" + (null == ctx.credentials() ? "none configured" :
                    "unknown user or bad secret") + "): " + ex.getMessage()));
                conductor.failRoute(index, refusal());
            }
            return 0;
        }
    }

    private void connectFailed(final long nowNs, final RuntimeException ex)
    {
        lastConnectFailure = ex.getMessage();
        nextConnectNs = nowNs + RETRY_CONNECT_NS;
        if (leaderMemberId < 0)
        {
            // never connected: let the next attempt start at once when asked
            nextConnectNs = nowNs;
        }
    }

    void suspect()
    {
        // Aeron Cluster's session detects a dead leader itself (new leader event or a closed session)
    }

    String describe()
    {
        return "group " + group + " (leader " + leaderMemberId + ", members " + ingressEndpoints + ")" +
            (null == lastConnectFailure ? "" : ": " + lastConnectFailure);
    }

    /**
     * Why nothing could be sent: for the timeout of a request that never left.
     */
    String notConnectedReason()
    {
        return "group " + group + " is down: no leader answered at " + ingressEndpoints +
            (null == lastConnectFailure ? "" : " (" + lastConnectFailure + ")");
    }

    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        conductor.responseAdapter().onFragment(buffer, offset, length, header);
    }

    public void onNewLeader(
        final long clusterSessionId, final long leadershipTermId, final int leaderMemberId,
        final String ingressEndpoints)
    {
        this.leaderMemberId = leaderMemberId;
        conductor.onNewLeader(index);
    }

    /**
     * Errors of the cluster client; those raised while the session closes (its publication already gone) are
     * expected and dropped.
     */
    private void onClusterError(final Throwable error)
    {
        if (!closing)
        {
            ctx.errorHandler().onError(error);
        }
    }

    public void close()
    {
        closing = true;
        CloseHelper.quietCloseAll(connecting, cluster);
        connecting = null;
        cluster = null;
    }
}
