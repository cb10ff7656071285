package io.ferrite.client;

import io.aeron.Aeron;
import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.ferrite.codec.sbe.ConnectResponseDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import org.agrona.CloseHelper;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The session with one Ferrite node (or a member's stale-read endpoint): an exclusive request publication, a
 * response subscription on a channel of the client's own, and the handshake that tells the node where to answer
 * ({@code ConnectRequest}, retried until a {@code ConnectResponse} names the node's instance). Heartbeats are pings
 * the conductor sends when nothing was heard for a while; a lost response image or a missed heartbeat reopens the
 * session. A node that restarted (new instance id) lost the requests in flight: the conductor fails them.
 * <p>
 * <b>Note:</b> used under the conductor's lock only.
 */
final class NodeSession extends Session
{
    static final int DISCONNECTED = 0;
    static final int CONNECTING = 1;
    static final int CONNECTED = 2;
    static final int CLOSED = 3;

    private static final int FRAGMENT_LIMIT = 64;
    private static final long CONNECT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ClientConductor conductor;
    private final ExclusivePublication publication;
    private final Subscription subscription;
    private final FragmentAssembler assembler;
    private final String requestChannel;
    private final int requestStreamId;
    private final String responseChannel;
    private final int responseStreamId;
    private final long heartbeatIntervalNs;
    private final byte[] credentials;
    private volatile int state = DISCONNECTED;
    private volatile boolean responseImageLost;
    private volatile long nodeInstanceId;
    private long connectCorrelationId = -1;
    private long firstConnectCorrelationId = -1;
    private long lastConnectAttemptNs;
    private long lastResponseNs;
    boolean heartbeatOutstanding;

    /**
     * Open the publication and subscription (the handshake runs from {@link #doWork(long)}).
     */
    NodeSession(
        final int index,
        final ClientConductor conductor,
        final Aeron aeron,
        final ClientContext ctx,
        final String requestChannel,
        final int requestStreamId,
        final String responseChannelTemplate,
        final long deadlineNs)
    {
        super(index, ctx.instanceId());
        this.conductor = conductor;
        this.requestChannel = requestChannel;
        this.requestStreamId = requestStreamId;
        this.responseStreamId = ctx.responseStreamId();
        this.heartbeatIntervalNs = ctx.heartbeatIntervalNs();
        this.credentials = ctx.credentials();
        this.assembler = new FragmentAssembler(conductor.responseAdapter());
        Subscription sub = null;
        ExclusivePublication pub = null;
        try
        {
            sub = aeron.addSubscription(responseChannelTemplate, responseStreamId, null,
                (image) -> responseImageLost = true);
            this.responseChannel = resolve(sub, responseChannelTemplate, deadlineNs, conductor);
            final ChannelUri requestUri = ChannelUri.parse(requestChannel);
            requestUri.put(CommonContext.TERM_LENGTH_PARAM_NAME, Integer.toString(ctx.termLength()));
            requestUri.put(CommonContext.SPARSE_PARAM_NAME, "true");
            pub = aeron.addExclusivePublication(requestUri.toString(), requestStreamId);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(pub, sub);
            throw ex;
        }
        this.subscription = sub;
        this.publication = pub;
        publisher.target(publication);
    }

    private static String resolve(
        final Subscription subscription, final String channel, final long deadlineNs, final ClientConductor conductor)
    {
        final String endpoint = ChannelUri.parse(channel).get(CommonContext.ENDPOINT_PARAM_NAME);
        if (null == endpoint || !endpoint.endsWith(":0"))
        {
            return channel;
        }
        String resolved;
        while (null == (resolved = subscription.tryResolveChannelEndpointPort()))
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new FerriteTimeoutException("could not resolve the response channel " + channel);
            }
            conductor.invokeAgents();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        return resolved;
    }

    boolean isUp()
    {
        return CONNECTED == state;
    }

    int state()
    {
        return state;
    }

    long nodeInstanceId()
    {
        return nodeInstanceId;
    }

    int doWork(final long nowNs)
    {
        if (CLOSED == state)
        {
            return 0;
        }
        int work = subscription.poll(assembler, FRAGMENT_LIMIT);
        if (work > 0)
        {
            lastResponseNs = nowNs;
        }
        if (responseImageLost)
        {
            responseImageLost = false;
            suspect();
        }
        if (null == refusal() &&
            (DISCONNECTED == state || (CONNECTING == state && nowNs - lastConnectAttemptNs > CONNECT_RETRY_NS)))
        {
            work += sendConnect(nowNs);
        }
        if (CONNECTED == state && !heartbeatOutstanding && nowNs - lastResponseNs > heartbeatIntervalNs)
        {
            heartbeatOutstanding = conductor.sendHeartbeat(this, nowNs + 2 * heartbeatIntervalNs);
        }
        return work;
    }

    /**
     * A connect response: true if it was this session's.
     */
    boolean onConnected(final ConnectResponseDecoder decoder)
    {
        final long correlationId = decoder.correlationId();
        if (CONNECTING != state || correlationId < firstConnectCorrelationId || correlationId > connectCorrelationId)
        {
            return false;
        }
        final long instanceId = decoder.nodeInstanceId();
        if (0 != nodeInstanceId && instanceId != nodeInstanceId)
        {
            conductor.failRoute(index, "the node restarted (instance " + Long.toHexString(nodeInstanceId) +
                " is now " + Long.toHexString(instanceId) + "); the request was lost");
        }
        nodeInstanceId = instanceId;
        lastResponseNs = System.nanoTime();
        state = CONNECTED;
        return true;
    }

    /**
     * The node answered a connect of this session with {@code AUTHENTICATION_FAILED}: true if it was this
     * session's connect. The session stops connecting and fails what waits for it.
     */
    boolean onConnectRefused(final long correlationId, final String message)
    {
        if (CONNECTING != state || correlationId < firstConnectCorrelationId || correlationId > connectCorrelationId)
        {
            return false;
        }
        state = DISCONNECTED;
        refused(new FerriteRequestException(ErrorCode.AUTHENTICATION_FAILED,
            describe() + " refused this client's credentials: " + message));
        conductor.failRoute(index, refusal());
        return true;
    }

    void suspect()
    {
        if (CONNECTED == state || CONNECTING == state)
        {
            state = DISCONNECTED;
        }
    }

    String describe()
    {
        return "the node at " + requestChannel + " stream " + requestStreamId;
    }

    /**
     * Why nothing could be sent: for the timeout of a request that never left.
     */
    String notConnectedReason()
    {
        return "not connected: no Ferrite node answered at " + requestChannel + " stream " + requestStreamId +
            (publication.isConnected() ? "" : " (no subscriber there)");
    }

    private int sendConnect(final long nowNs)
    {
        if (!publication.isConnected())
        {
            return 0;
        }
        final long correlationId = conductor.nextCorrelationId();
        if (publisher.connect(correlationId, responseStreamId, responseChannel, credentials) > 0)
        {
            if (DISCONNECTED == state)
            {
                firstConnectCorrelationId = correlationId;
            }
            connectCorrelationId = correlationId;
            lastConnectAttemptNs = nowNs;
            state = CONNECTING;
            return 1;
        }
        return 0;
    }

    public void close()
    {
        if (CONNECTED == state)
        {
            publisher.disconnect(conductor.nextCorrelationId());
        }
        state = CLOSED;
        CloseHelper.quietCloseAll(publication, subscription);
    }
}
