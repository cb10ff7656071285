package io.ferrite.replication;

import io.ferrite.codec.RequestLimits;
import org.agrona.ErrorHandler;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link ReplicatedClient}; fluent setters, validated once by {@link #conclude()}.
 */
public final class ReplicatedClientContext
{
    private boolean concluded;
    private String ingressEndpoints;
    private String staleReadEndpoints;
    private int staleReadMember = -1;
    private String aeronDirectoryName;
    private String egressHost = "127.0.0.1";
    private long clientId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private long requestTimeoutNs = TimeUnit.SECONDS.toNanos(10);
    private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(10);
    private int maxInFlight = RequestDeduplicator.WINDOW;
    private int termLength = ReplicationConfiguration.termLength();
    private long maxParkNs = ReplicationConfiguration.maxParkNs();
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private int maxKeyLength = ReplicationConfiguration.maxKeyLength();
    private int maxValueLength = -1;

    public ReplicatedClientContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("a ReplicatedClientContext is used for one client only");
        }
        concluded = true;
        if (null == ingressEndpoints || ingressEndpoints.isBlank())
        {
            throw new IllegalArgumentException("ingressEndpoints must be set, e.g. GroupTopology.ingressEndpoints(g)");
        }
        if (maxInFlight < 1 || maxInFlight > RequestDeduplicator.WINDOW)
        {
            throw new IllegalArgumentException("maxInFlight must be in [1, " + RequestDeduplicator.WINDOW +
                "] so resent writes stay within the members' deduplication window: " + maxInFlight);
        }
        if (requestTimeoutNs <= 0 || connectTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxValueLength < 0)
        {
            maxValueLength = (int)Math.max(0, Math.min(ReplicationConfiguration.maxValueLength(),
                (long)termLength / 8 - maxKeyLength - RequestLimits.REQUEST_OVERHEAD));
        }
        new RequestLimits(maxKeyLength, maxValueLength, RequestLimits.DEFAULT_MAX_MULTI_GET_KEYS)
            .requireFits(termLength / 8);
        return this;
    }

    /**
     * The group's ingress endpoints, {@code 0=host:port,1=host:port,...} ({@link GroupTopology#ingressEndpoints}).
     */
    public ReplicatedClientContext ingressEndpoints(final String ingressEndpoints)
    {
        this.ingressEndpoints = ingressEndpoints;
        return this;
    }

    public String ingressEndpoints()
    {
        return ingressEndpoints;
    }

    /**
     * Where members serve possibly-stale reads, {@code 0=host:port,...} ({@link GroupTopology#staleReadEndpoints});
     * needed only for {@link ReplicatedClient#getPossiblyStale(byte[])}.
     */
    public ReplicatedClientContext staleReadEndpoints(final String staleReadEndpoints)
    {
        this.staleReadEndpoints = staleReadEndpoints;
        return this;
    }

    public String staleReadEndpoints()
    {
        return staleReadEndpoints;
    }

    /**
     * The member possibly-stale reads go to; -1 (default) means the leader known when the first one is made.
     */
    public ReplicatedClientContext staleReadMember(final int staleReadMember)
    {
        this.staleReadMember = staleReadMember;
        return this;
    }

    public int staleReadMember()
    {
        return staleReadMember;
    }

    /**
     * Use a running media driver in this directory; unset launches an embedded one (shared threading, backoff).
     */
    public ReplicatedClientContext aeronDirectoryName(final String aeronDirectoryName)
    {
        this.aeronDirectoryName = aeronDirectoryName;
        return this;
    }

    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * The address members send responses to.
     */
    public ReplicatedClientContext egressHost(final String egressHost)
    {
        this.egressHost = egressHost;
        return this;
    }

    public String egressHost()
    {
        return egressHost;
    }

    /**
     * Identity of this client for write deduplication; random by default. Reuse one only for the same logical
     * client (for example after a process restart that resends its unacknowledged writes).
     */
    public ReplicatedClientContext clientId(final long clientId)
    {
        this.clientId = clientId;
        return this;
    }

    public long clientId()
    {
        return clientId;
    }

    public ReplicatedClientContext requestTimeoutNs(final long requestTimeoutNs)
    {
        this.requestTimeoutNs = requestTimeoutNs;
        return this;
    }

    public long requestTimeoutNs()
    {
        return requestTimeoutNs;
    }

    public ReplicatedClientContext connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * Most requests in flight at once; submitting more waits.
     */
    public ReplicatedClientContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    public ReplicatedClientContext termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    public int termLength()
    {
        return termLength;
    }

    /**
     * Receives errors from the client's background thread (the default prints them).
     */
    public ReplicatedClientContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Longest key the client sends; longer ones are refused before anything is sent. Must match the group's
     * {@link ReplicaNodeContext#maxKeyLength}, which the group enforces too.
     */
    public ReplicatedClientContext maxKeyLength(final int maxKeyLength)
    {
        this.maxKeyLength = maxKeyLength;
        return this;
    }

    public int maxKeyLength()
    {
        return maxKeyLength;
    }

    /**
     * Largest value the client sends; larger ones are refused before anything is sent. Unset, the group's default
     * ({@link ReplicaNodeContext#maxValueLength}).
     */
    public ReplicatedClientContext maxValueLength(final int maxValueLength)
    {
        this.maxValueLength = maxValueLength;
        return this;
    }

    public int maxValueLength()
    {
        return maxValueLength;
    }

    public ReplicatedClientContext maxParkNs(final long maxParkNs)
    {
        this.maxParkNs = maxParkNs;
        return this;
    }

    public long maxParkNs()
    {
        return maxParkNs;
    }
}
