package io.ferrite.client;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.ferrite.codec.Credentials;
import io.ferrite.codec.RequestLimits;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link FerriteClient}: what it connects to (seeds) and how. Fluent setters, validated once by
 * {@link #conclude()}; a context serves one client only. Defaults come from {@link ClientConfiguration}
 * (system properties {@code ferrite.client.*}).
 * <p>
 * Seeds, one of:
 * <ul>
 *     <li>{@link #node(String)} (or {@link #nodeChannel(String)}): one Ferrite node (the default, at
 *     {@link ClientConfiguration#NODE_CHANNEL_DEFAULT});</li>
 *     <li>{@link #group(String)}: the members of one replica group, {@code 0=host:port,1=host:port,...};</li>
 *     <li>{@link #cluster(String...)} or {@link #clusterDescription(Path)}: every group of a partitioned cluster
 *     (group id = position); the client reads the partition map from group 0.</li>
 * </ul>
 */
public final class ClientContext
{
    /** What the client talks to. */
    enum Mode
    {
        NODE, GROUP, CLUSTER
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private boolean concluded;
    private Mode mode = Mode.NODE;
    private String nodeChannel = ClientConfiguration.nodeChannel();
    private int nodeStreamId = ClientConfiguration.nodeStreamId();
    private String responseChannel = ClientConfiguration.responseChannel();
    private int responseStreamId = ClientConfiguration.responseStreamId();
    private boolean responseStreamIdSet = null != System.getProperty(ClientConfiguration.RESPONSE_STREAM_ID_PROP_NAME);
    private String[] groupEndpoints;
    private String staleReadEndpoints;
    private int staleReadMember = -1;
    private String egressHost = ClientConfiguration.egressHost();
    private String aeronDir = ClientConfiguration.aeronDir();
    private String embeddedDriverDir;
    private long requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ClientConfiguration.requestTimeoutMs());
    private long connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ClientConfiguration.connectTimeoutMs());
    private long heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(ClientConfiguration.heartbeatIntervalMs());
    private int termLength = ClientConfiguration.termLength();
    private long instanceId;
    private byte[] credentials;
    private boolean credentialsSet;
    private IdleStrategy idleStrategy;
    private boolean useConductorThread = true;
    private ErrorHandler errorHandler;
    private int maxKeyLength = ClientConfiguration.maxKeyLength();
    private int maxValueLength = ClientConfiguration.maxValueLength();
    private int maxMultiGetKeys = ClientConfiguration.maxMultiGetKeys();
    private int maxInFlight = ClientConfiguration.maxInFlight();

    /**
     * Check and complete the settings; called by {@link FerriteClient#connect(ClientContext)}.
     *
     * @throws IllegalStateException    if this context was used already.
     * @throws IllegalArgumentException naming the setting that is out of range.
     */
    public ClientContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("a ClientContext is used for one client only");
        }
        concluded = true;
        ChannelUri.parse(nodeChannel);
        final ChannelUri responseUri = ChannelUri.parse(responseChannel);
        if (CommonContext.IPC_MEDIA.equals(responseUri.media()) && !responseStreamIdSet)
        {
            responseStreamId = 1_000_000 + ThreadLocalRandom.current().nextInt(1 << 30);
        }
        if (Mode.NODE != mode)
        {
            for (int g = 0; g < groupEndpoints.length; g++)
            {
                if (null == groupEndpoints[g] || groupEndpoints[g].isBlank())
                {
                    throw new IllegalArgumentException("the endpoints of group " + g + " are empty");
                }
            }
        }
        if (requestTimeoutNs <= 0 || connectTimeoutNs <= 0 || heartbeatIntervalNs <= 0)
        {
            throw new IllegalArgumentException("timeouts and the heartbeat interval must be positive");
        }
        if (termLength < 64 * 1024 || Integer.bitCount(termLength) != 1 || termLength > 1 << 30)
        {
            throw new IllegalArgumentException("termLength must be a power of two in [64 KiB, 1 GiB]: " + termLength);
        }
        if (maxInFlight < 1 || maxInFlight > ClientConfiguration.MAX_IN_FLIGHT_DEFAULT)
        {
            throw new IllegalArgumentException("maxInFlight must be in [1, 256] so resent writes stay within the " +
                "groups' deduplication window: " + maxInFlight);
        }
        if (0 == instanceId)
        {
            instanceId = newInstanceId();
        }
        if (!credentialsSet)
        {
            credentials = Credentials.login();
        }
        if (maxValueLength < 0)
        {
            maxValueLength = (int)Math.max(0, Math.min(RequestLimits.DEFAULT_MAX_VALUE_LENGTH,
                (long)maxMessageLength() - maxKeyLength - RequestLimits.REQUEST_OVERHEAD));
        }
        new RequestLimits(maxKeyLength, maxValueLength, maxMultiGetKeys).requireFits(maxMessageLength());
        if (null == aeronDir && null == embeddedDriverDir)
        {
            embeddedDriverDir = EmbeddedDriver.newDirName("client");
        }
        if (null == idleStrategy)
        {
            idleStrategy = IdleStrategies.of(ClientConfiguration.idleStrategy());
        }
        if (null == errorHandler)
        {
            errorHandler = (throwable) ->
            {
                System.err.println("ferrite client error: " + throwable);
                throwable.printStackTrace(System.err);
            };
        }
        return this;
    }

    /**
     * A fresh random instance id (never 0 or -1): what {@link #conclude()} draws when none is set.
     */
    public static long newInstanceId()
    {
        long id;
        do
        {
            id = RANDOM.nextLong();
        }
        while (0 == id || -1 == id);
        return id;
    }

    Mode mode()
    {
        return mode;
    }

    /**
     * The largest request: an eighth of the term length, at most 16 MiB.
     */
    public int maxMessageLength()
    {
        return Math.min(termLength / 8, 16 * 1024 * 1024);
    }

    /**
     * Seed: one node at {@code host:port} (UDP).
     */
    public ClientContext node(final String endpoint)
    {
        return nodeChannel("aeron:udp?endpoint=" + endpoint);
    }

    /**
     * Seed: one node's request channel, e.g. {@code aeron:udp?endpoint=127.0.0.1:7456} or {@code aeron:ipc}.
     */
    public ClientContext nodeChannel(final String nodeChannel)
    {
        this.mode = Mode.NODE;
        this.nodeChannel = nodeChannel;
        return this;
    }

    public String nodeChannel()
    {
        return nodeChannel;
    }

    public ClientContext nodeStreamId(final int nodeStreamId)
    {
        this.nodeStreamId = nodeStreamId;
        return this;
    }

    public int nodeStreamId()
    {
        return nodeStreamId;
    }

    /**
     * Seed: the members of one replica group, Aeron's {@code 0=host:port,1=host:port,...}. No partition map is read;
     * a key the group does not own fails with {@link FerriteRedirectException}.
     */
    public ClientContext group(final String ingressEndpoints)
    {
        this.mode = Mode.GROUP;
        this.groupEndpoints = new String[]{ ingressEndpoints };
        return this;
    }

    /**
     * Seed: every group of a partitioned cluster, each as {@code 0=host:port,...}, group id = position.
     */
    public ClientContext cluster(final String... ingressEndpointsPerGroup)
    {
        if (0 == ingressEndpointsPerGroup.length)
        {
            throw new IllegalArgumentException("a cluster needs at least group 0's endpoints");
        }
        this.mode = Mode.CLUSTER;
        this.groupEndpoints = ingressEndpointsPerGroup.clone();
        return this;
    }

    /**
     * Seed: the groups listed in a cluster description file (as {@code ferrite cluster create} writes it: the
     * {@code groups} count and a {@code group.N.ingress} line per group).
     *
     * @throws IllegalArgumentException if the file is missing or names no group, in one sentence.
     */
    public ClientContext clusterDescription(final Path file)
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException("no cluster description at " + file, ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the cluster description " + file, ex);
        }
        final int groups = Integer.parseInt(properties.getProperty("groups", "0").trim());
        if (groups < 1)
        {
            throw new IllegalArgumentException("the cluster description " + file + " names no groups");
        }
        final String[] endpoints = new String[groups];
        for (int g = 0; g < groups; g++)
        {
            endpoints[g] = properties.getProperty("group." + g + ".ingress");
            if (null == endpoints[g])
            {
                throw new IllegalArgumentException("the cluster description " + file + " has no group." + g +
                    ".ingress line");
            }
        }
        return cluster(endpoints);
    }

    /**
     * The ingress endpoints of each group (null in node mode).
     */
    public String[] groupEndpoints()
    {
        return null == groupEndpoints ? null : groupEndpoints.clone();
    }

    String groupEndpoints(final int group)
    {
        return groupEndpoints[group];
    }

    int groupCount()
    {
        return null == groupEndpoints ? 0 : groupEndpoints.length;
    }

    /**
     * Where group 0's members serve possibly-stale reads, {@code 0=host:port,...}; needed only for
     * {@link FerriteClient#getPossiblyStale(byte[])}.
     */
    public ClientContext staleReadEndpoints(final String staleReadEndpoints)
    {
        this.staleReadEndpoints = staleReadEndpoints;
        return this;
    }

    public String staleReadEndpoints()
    {
        return staleReadEndpoints;
    }

    /**
     * The member possibly-stale reads go to; -1 (default) means the leader as the client knows it at each call.
     */
    public ClientContext staleReadMember(final int staleReadMember)
    {
        this.staleReadMember = staleReadMember;
        return this;
    }

    public int staleReadMember()
    {
        return staleReadMember;
    }

    /**
     * Channel a node sends responses to; an endpoint port of 0 picks a free port.
     */
    public ClientContext responseChannel(final String responseChannel)
    {
        this.responseChannel = responseChannel;
        return this;
    }

    public String responseChannel()
    {
        return responseChannel;
    }

    /**
     * Stream id of a node's responses. Responses on one channel and stream reach every subscriber of it, so each
     * client needs its own pair: the default UDP channel picks a free port; on an IPC response channel an unset
     * stream id is chosen at random.
     */
    public ClientContext responseStreamId(final int responseStreamId)
    {
        this.responseStreamId = responseStreamId;
        this.responseStreamIdSet = true;
        return this;
    }

    public int responseStreamId()
    {
        return responseStreamId;
    }

    /**
     * The address replica groups (and stale-read members) send responses to.
     */
    public ClientContext egressHost(final String egressHost)
    {
        this.egressHost = egressHost;
        return this;
    }

    public String egressHost()
    {
        return egressHost;
    }

    /**
     * Directory of an external (or an in-process node's) media driver; {@code null} launches an embedded one.
     */
    public ClientContext aeronDir(final String aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    public String aeronDir()
    {
        return aeronDir;
    }

    public ClientContext embeddedDriverDir(final String embeddedDriverDir)
    {
        this.embeddedDriverDir = embeddedDriverDir;
        return this;
    }

    public String embeddedDriverDir()
    {
        return embeddedDriverDir;
    }

    /**
     * How long a request may take, redirects, resends after a leader change and cut-over retries included.
     */
    public ClientContext requestTimeout(final Duration requestTimeout)
    {
        return requestTimeoutNs(requestTimeout.toNanos());
    }

    public ClientContext requestTimeoutNs(final long requestTimeoutNs)
    {
        this.requestTimeoutNs = requestTimeoutNs;
        return this;
    }

    public long requestTimeoutNs()
    {
        return requestTimeoutNs;
    }

    public ClientContext connectTimeout(final Duration connectTimeout)
    {
        return connectTimeoutNs(connectTimeout.toNanos());
    }

    public ClientContext connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    public ClientContext heartbeatIntervalNs(final long heartbeatIntervalNs)
    {
        this.heartbeatIntervalNs = heartbeatIntervalNs;
        return this;
    }

    public long heartbeatIntervalNs()
    {
        return heartbeatIntervalNs;
    }

    public ClientContext termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    public int termLength()
    {
        return termLength;
    }

    /**
     * The identity in every request, by which groups deduplicate resent writes; 0 (the default) draws a random
     * 64-bit one with {@link SecureRandom}. Each group binds it to the session that first writes with it (another
     * session presenting it is refused with {@code CLIENT_ID_IN_USE}). Never reuse one across client restarts: the
     * new instance's correlation ids start again at 1 and would match the old instance's recorded outcomes.
     */
    /**
     * Credentials to present to a node or a replica group that authenticates, in {@link Credentials}' wire form
     * ({@code Credentials.encode(user, secret)}); null for none. Default: this process's configured login
     * ({@link Credentials#login()}: {@code FERRITE_LOGIN_FILE}, {@code ferrite.security.login.file} or
     * {@code FERRITE_LOGIN}), or none. Never put a secret on a command line.
     */
    public ClientContext credentials(final byte[] credentials)
    {
        this.credentials = credentials;
        this.credentialsSet = true;
        return this;
    }

    public byte[] credentials()
    {
        return credentials;
    }

    public ClientContext instanceId(final long instanceId)
    {
        this.instanceId = instanceId;
        return this;
    }

    public long instanceId()
    {
        return instanceId;
    }

    /**
     * Idle strategy of the background poller (default {@code backoff}, parks capped at 100 us); blocking callers
     * poll for their own answers and do not wait for it.
     */
    public ClientContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Whether a background poller completes async requests, keeps sessions alive and reconnects (default true).
     * Without it, only calls on the client (or {@link FerriteClient#poll()}) make progress.
     */
    public ClientContext useConductorThread(final boolean useConductorThread)
    {
        this.useConductorThread = useConductorThread;
        return this;
    }

    public boolean useConductorThread()
    {
        return useConductorThread;
    }

    public ClientContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Longest key the client sends; longer ones are refused before anything is sent ({@code KEY_TOO_LARGE}).
     */
    public ClientContext maxKeyLength(final int maxKeyLength)
    {
        this.maxKeyLength = maxKeyLength;
        return this;
    }

    public int maxKeyLength()
    {
        return maxKeyLength;
    }

    /**
     * Largest value the client sends; unset, the servers' default (1 MiB) or what fits one message.
     */
    public ClientContext maxValueLength(final int maxValueLength)
    {
        this.maxValueLength = maxValueLength;
        return this;
    }

    public int maxValueLength()
    {
        return maxValueLength;
    }

    /**
     * Most keys in one multi-get message; a larger multi-get is split into several messages.
     */
    public ClientContext maxMultiGetKeys(final int maxMultiGetKeys)
    {
        this.maxMultiGetKeys = maxMultiGetKeys;
        return this;
    }

    public int maxMultiGetKeys()
    {
        return maxMultiGetKeys;
    }

    /**
     * Most requests in flight at once; submitting more waits. At most 256 (the groups' deduplication window).
     */
    public ClientContext maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }
}
