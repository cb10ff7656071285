package io.ferrite.replication;

import io.ferrite.codec.RequestLimits;
import org.agrona.ErrorHandler;

import java.security.SecureRandom;
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
    private static final SecureRandom RANDOM = new SecureRandom();

    private long clientId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private long instanceId;
    private long requestTimeoutNs = TimeUnit.SECONDS.toNanos(10);
    private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(10);
    private int maxInFlight = RequestDeduplicator.WINDOW;
    private int termLength = ReplicationConfiguration.termLength();
    private long maxParkNs = ReplicationConfiguration.maxParkNs();
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private int maxKeyLength = ReplicationConfiguration.maxKeyLength();
    private int maxValueLength = -1;
    private byte[] credentials;
    private boolean credentialsSet;

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
        if (0 == instanceId)
        {
            instanceId = newInstanceId();
        }
        if (maxValueLength < 0)
        {
            maxValueLength = (int)Math.max(0, Math.min(ReplicationConfiguration.maxValueLength(),
                (long)termLength / 8 - maxKeyLength - RequestLimits.REQUEST_OVERHEAD));
        }
        new RequestLimits(maxKeyLength, maxValueLength, RequestLimits.DEFAULT_MAX_MULTI_GET_KEYS)
            .requireFits(termLength / 8);
        if (!credentialsSet)
        {
            credentials = io.ferrite.codec.Credentials.login();
        }
        return this;
    }

    /**
     * Credentials to present to the group (and its stale-read endpoints), in {@link io.ferrite.codec.Credentials}'
     * wire form ({@code Credentials.encode(user, secret)}). Default: this process's configured login
     * ({@link io.ferrite.codec.Credentials#login()}), or none.
     */
    public ReplicatedClientContext credentials(final byte[] credentials)
    {
        this.credentials = credentials;
        this.credentialsSet = true;
        return this;
    }

    public byte[] credentials()
    {
        return credentials;
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
     * A label for this client (thread and directory names); random by default. It is not the identity members
     * deduplicate writes by: that is the {@link #instanceId(long) instance id}, drawn afresh for every client
     * instance, so a process restarted with the same client id never inherits its predecessor's outcomes.
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

    /**
     * The identity members deduplicate this client's writes by; 0 (the default) draws a random 64-bit one with
     * {@link SecureRandom} in {@link #conclude()}. Set it only to give several clients of one logical client
     * instance the same identity, for example one partitioned client talking to many groups (each group binds the
     * id to the session that first writes with it). Never reuse one across client restarts: the new instance's
     * correlation ids start again at 1 and would match the old instance's recorded outcomes.
     */
    public ReplicatedClientContext instanceId(final long instanceId)
    {
        this.instanceId = instanceId;
        return this;
    }

    public long instanceId()
    {
        return instanceId;
    }

    /**
     * A fresh random instance id (never 0): what {@link #conclude()} draws when none is set.
     */
    public static long newInstanceId()
    {
        long id;
        do
        {
            id = RANDOM.nextLong();
        }
        while (0 == id || RequestDeduplicator.NO_SESSION == id);
        return id;
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
