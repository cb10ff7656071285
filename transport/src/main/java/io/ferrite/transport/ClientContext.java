package io.ferrite.transport;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link FerriteClient}; fluent setters, validated once by {@link #conclude()}. A context is used for
 * one client only. Defaults come from {@link ClientConfiguration} (system properties {@code ferrite.client.*}).
 */
public final class ClientContext
{
    private boolean concluded;
    private byte[] credentials;
    private boolean credentialsSet;
    private String nodeChannel = ClientConfiguration.nodeChannel();
    private int nodeStreamId = ClientConfiguration.nodeStreamId();
    private String responseChannel = ClientConfiguration.responseChannel();
    private int responseStreamId = ClientConfiguration.responseStreamId();
    private boolean responseStreamIdSet = null != System.getProperty(ClientConfiguration.RESPONSE_STREAM_ID_PROP_NAME);
    private String aeronDir = ClientConfiguration.aeronDir();
    private String embeddedDriverDir;
    private long requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ClientConfiguration.requestTimeoutMs());
    private long connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ClientConfiguration.connectTimeoutMs());
    private long heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(ClientConfiguration.heartbeatIntervalMs());
    private int termLength = ClientConfiguration.termLength();
    private long clientId;
    private IdleStrategy idleStrategy;
    private boolean useConductorThread = true;
    private ErrorHandler errorHandler;

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
        if (requestTimeoutNs <= 0 || connectTimeoutNs <= 0 || heartbeatIntervalNs <= 0)
        {
            throw new IllegalArgumentException("timeouts and the heartbeat interval must be positive");
        }
        if (termLength < 64 * 1024 || Integer.bitCount(termLength) != 1 || termLength > 1 << 30)
        {
            throw new IllegalArgumentException("termLength must be a power of two in [64 KiB, 1 GiB]: " + termLength);
        }
        if (0 == clientId)
        {
            clientId = ThreadLocalRandom.current().nextLong() | 1;
        }
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
     * The largest request: an eighth of the term length.
     */
    public int maxMessageLength()
    {
        return Math.min(termLength / 8, 16 * 1024 * 1024);
    }

    /**
     * The node's request channel, e.g. {@code aeron:udp?endpoint=127.0.0.1:40456}.
     */
    public ClientContext nodeChannel(final String nodeChannel)
    {
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
     * Channel the node sends responses to; an endpoint port of 0 picks a free port.
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
     * Stream id of responses. Responses on one channel and stream reach every subscriber of it, so each client needs
     * its own pair: the default UDP channel picks a free port; on an IPC response channel an unset stream id is
     * chosen at random.
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
     * Directory of an external (or the in-process node's) media driver; {@code null} launches an embedded one.
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

    public ClientContext requestTimeoutNs(final long requestTimeoutNs)
    {
        this.requestTimeoutNs = requestTimeoutNs;
        return this;
    }

    public long requestTimeoutNs()
    {
        return requestTimeoutNs;
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
     * The client's id in every request (for idempotent replay); default random.
     */
    public ClientContext clientId(final long clientId)
    {
        this.clientId = clientId;
        return this;
    }

    public long clientId()
    {
        return clientId;
    }

    /**
     * Idle strategy of the conductor thread; blocking callers poll for their own answers and do not wait for it.
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
     * Whether a conductor thread completes async requests, sends heartbeats and reconnects (default true). Without
     * it, only calls on the client (or {@link FerriteClient#poll()}) make progress.
     */
    public ClientContext useConductorThread(final boolean useConductorThread)
    {
        this.useConductorThread = useConductorThread;
        if (!credentialsSet)
        {
            credentials = io.ferrite.codec.Credentials.login();
        }
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
     * Credentials to present when connecting, in {@link io.ferrite.codec.Credentials}' wire form
     * ({@code Credentials.encode(user, secret)}). Default: this process's configured login
     * ({@link io.ferrite.codec.Credentials#login()}), or none.
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
}
