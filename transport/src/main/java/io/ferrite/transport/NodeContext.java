package io.ferrite.transport;

import io.ferrite.client.IdleStrategies;
import io.ferrite.client.EmbeddedDriver;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.ferrite.codec.Credentials;
import io.ferrite.engine.StoreConfiguration;
import io.ferrite.engine.StoreContext;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Settings of a {@link FerriteNode}; fluent setters, validated once by {@link #conclude()}. A context is used for one
 * node only. Defaults come from {@link NodeConfiguration} (system properties {@code ferrite.node.*}).
 */
public final class NodeContext
{
    /** Bytes a response needs beyond its key and value: header, fixed fields, lengths. */
    static final int MESSAGE_OVERHEAD = 128;

    private boolean concluded;
    private CredentialsVerifier credentialsVerifier;
    private boolean ownsCredentialsVerifier;
    private boolean credentialsVerifierSet;
    private String channel = NodeConfiguration.channel();
    private int streamId = NodeConfiguration.streamId();
    private String aeronDir = NodeConfiguration.aeronDir();
    private String embeddedDriverDir;
    private StoreContext[] storeContexts;
    private IdleStrategy idleStrategy;
    private Supplier<IdleStrategy> idleStrategySupplier;
    private int maxKeyLength = NodeConfiguration.maxKeyLength();
    private int maxValueLength = NodeConfiguration.maxValueLength();
    private int maxMultiGetKeys = NodeConfiguration.maxMultiGetKeys();
    private int maxSessions = NodeConfiguration.maxSessions();
    private int termLength = NodeConfiguration.termLength();
    private long sendTimeoutNs = TimeUnit.MILLISECONDS.toNanos(NodeConfiguration.sendTimeoutMs());
    private long connectTimeoutNs = TimeUnit.MILLISECONDS.toNanos(NodeConfiguration.connectTimeoutMs());
    private ErrorHandler errorHandler;
    private Consumer<String> eventLog;

    /**
     * Check and complete the settings; called by {@link FerriteNode#launch(NodeContext)}.
     *
     * @throws IllegalStateException    if this context was used already.
     * @throws IllegalArgumentException naming the setting that is out of range.
     */
    public NodeContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("a NodeContext is used for one node only");
        }
        concluded = true;
        final ChannelUri uri = ChannelUri.parse(channel);
        if (null == storeContexts || 0 == storeContexts.length)
        {
            storeContexts = new StoreContext[]{ new StoreContext() };
        }
        for (final StoreContext store : storeContexts)
        {
            if (null == store)
            {
                throw new IllegalArgumentException("storeContexts must not hold null");
            }
        }
        if ((long)streamId + storeContexts.length - 1 > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("streamId + stores overflows: " + streamId);
        }
        if (null == idleStrategySupplier)
        {
            final String name = NodeConfiguration.idleStrategy();
            idleStrategySupplier = () -> IdleStrategies.of(name);
        }
        if (null != idleStrategy && storeContexts.length > 1)
        {
            throw new IllegalArgumentException(
                "an idle strategy instance serves one thread: use idleStrategySupplier with several stores");
        }
        if (null == idleStrategy)
        {
            idleStrategy = idleStrategySupplier.get();
        }
        if (null == aeronDir && null == embeddedDriverDir)
        {
            embeddedDriverDir = EmbeddedDriver.newDirName("node");
        }
        if (maxKeyLength < 1 || maxKeyLength > StoreConfiguration.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("maxKeyLength must be in [1, 65536]: " + maxKeyLength);
        }
        if (maxValueLength < 0)
        {
            throw new IllegalArgumentException("maxValueLength must not be negative: " + maxValueLength);
        }
        if (termLength < 64 * 1024 || Integer.bitCount(termLength) != 1 || termLength > 1 << 30)
        {
            throw new IllegalArgumentException("termLength must be a power of two in [64 KiB, 1 GiB]: " + termLength);
        }
        if ((long)maxKeyLength + maxValueLength + MESSAGE_OVERHEAD > maxMessageLength())
        {
            throw new IllegalArgumentException("maxKeyLength + maxValueLength (" + maxKeyLength + " + " +
                maxValueLength + ") do not fit one message of " + maxMessageLength() + " bytes (termLength / 8): " +
                "raise termLength to " + Integer.highestOneBit((maxKeyLength + maxValueLength + MESSAGE_OVERHEAD) * 8)
                * 2 + " or lower the limits");
        }
        if (maxMultiGetKeys < 1 || maxMultiGetKeys > 65534)
        {
            throw new IllegalArgumentException("maxMultiGetKeys must be in [1, 65534]: " + maxMultiGetKeys);
        }
        if (maxSessions < 1)
        {
            throw new IllegalArgumentException("maxSessions must be at least 1: " + maxSessions);
        }
        if (sendTimeoutNs <= 0 || connectTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (null == errorHandler)
        {
            errorHandler = (throwable) ->
            {
                System.err.println("ferrite node error: " + throwable);
                throwable.printStackTrace(System.err);
            };
        }
        if (null == eventLog)
        {
            eventLog = (message) -> System.out.println("ferrite node: " + message);
        }
        if (!credentialsVerifierSet)
        {
            credentialsVerifier = CredentialsVerifier.fromConfiguration(eventLog);
            ownsCredentialsVerifier = null != credentialsVerifier;
        }
        final String endpoint = uri.get(CommonContext.ENDPOINT_PARAM_NAME);
        if (null == credentialsVerifier && null != endpoint && !isLoopback(endpoint))
        {
            eventLog.accept("WARNING: " + channel + " is not a loopback address and authentication is off: anyone " +
                "who reaches it can read and write; set " + Credentials.CREDENTIALS_FILE_PROPERTY + " (or " +
                Credentials.CREDENTIALS_FILE_ENV + ")");
        }
        return this;
    }

    /**
     * The largest message on the node's publications: an eighth of the term length.
     */
    public int maxMessageLength()
    {
        return Math.min(termLength / 8, 16 * 1024 * 1024);
    }

    /**
     * Aeron channel the node receives requests on, e.g. {@code aeron:udp?endpoint=127.0.0.1:7456}.
     */
    public NodeContext channel(final String channel)
    {
        this.channel = channel;
        return this;
    }

    public String channel()
    {
        return channel;
    }

    public NodeContext streamId(final int streamId)
    {
        this.streamId = streamId;
        return this;
    }

    public int streamId()
    {
        return streamId;
    }

    /**
     * Directory of an external media driver to use; {@code null} (default) launches an embedded one.
     */
    public NodeContext aeronDir(final String aeronDir)
    {
        this.aeronDir = aeronDir;
        return this;
    }

    public String aeronDir()
    {
        return aeronDir;
    }

    /**
     * Directory of the embedded media driver (deleted on start and close); default: unique under {@code /dev/shm}.
     */
    public NodeContext embeddedDriverDir(final String embeddedDriverDir)
    {
        this.embeddedDriverDir = embeddedDriverDir;
        return this;
    }

    public String embeddedDriverDir()
    {
        return embeddedDriverDir;
    }

    /**
     * Settings of the one store the node serves (a fresh context, owned and concluded by the node).
     */
    public NodeContext storeContext(final StoreContext storeContext)
    {
        this.storeContexts = new StoreContext[]{ storeContext };
        return this;
    }

    /**
     * Settings of the stores the node serves, one thread each: store {@code i} answers on stream
     * {@link #streamId()} + {@code i} of the same channel, so clients pick a store by stream id.
     */
    public NodeContext storeContexts(final StoreContext... storeContexts)
    {
        this.storeContexts = storeContexts.clone();
        return this;
    }

    /**
     * The first store's settings.
     */
    public StoreContext storeContext()
    {
        return null == storeContexts ? null : storeContexts[0];
    }

    public int storeCount()
    {
        return null == storeContexts ? 1 : storeContexts.length;
    }

    public StoreContext storeContext(final int index)
    {
        return storeContexts[index];
    }

    /**
     * Idle strategy of the node's store thread; default from {@link NodeConfiguration#IDLE_STRATEGY_PROP_NAME}.
     */
    public NodeContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Makes the idle strategy of each store thread (default: by name from
     * {@link NodeConfiguration#IDLE_STRATEGY_PROP_NAME}).
     */
    public NodeContext idleStrategySupplier(final Supplier<IdleStrategy> idleStrategySupplier)
    {
        this.idleStrategySupplier = idleStrategySupplier;
        return this;
    }

    /**
     * The idle strategy of store {@code index}'s thread.
     */
    IdleStrategy idleStrategy(final int index)
    {
        return 0 == index ? idleStrategy : idleStrategySupplier.get();
    }

    public NodeContext maxKeyLength(final int maxKeyLength)
    {
        this.maxKeyLength = maxKeyLength;
        return this;
    }

    public int maxKeyLength()
    {
        return maxKeyLength;
    }

    public NodeContext maxValueLength(final int maxValueLength)
    {
        this.maxValueLength = maxValueLength;
        return this;
    }

    public int maxValueLength()
    {
        return maxValueLength;
    }

    public NodeContext maxMultiGetKeys(final int maxMultiGetKeys)
    {
        this.maxMultiGetKeys = maxMultiGetKeys;
        return this;
    }

    public int maxMultiGetKeys()
    {
        return maxMultiGetKeys;
    }

    public NodeContext maxSessions(final int maxSessions)
    {
        this.maxSessions = maxSessions;
        return this;
    }

    public int maxSessions()
    {
        return maxSessions;
    }

    /**
     * Term length of the response publications; a message is at most an eighth of it.
     */
    public NodeContext termLength(final int termLength)
    {
        this.termLength = termLength;
        return this;
    }

    public int termLength()
    {
        return termLength;
    }

    public NodeContext sendTimeoutNs(final long sendTimeoutNs)
    {
        this.sendTimeoutNs = sendTimeoutNs;
        return this;
    }

    public long sendTimeoutNs()
    {
        return sendTimeoutNs;
    }

    public NodeContext connectTimeoutNs(final long connectTimeoutNs)
    {
        this.connectTimeoutNs = connectTimeoutNs;
        return this;
    }

    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /**
     * Where unexpected errors go (default: standard error).
     */
    public NodeContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Where session events and the reasons for closing sessions or dropping input go (default: standard output).
     * Called on the node's thread, never for a well-formed request.
     */
    public NodeContext eventLog(final Consumer<String> eventLog)
    {
        this.eventLog = eventLog;
        return this;
    }

    private static boolean isLoopback(final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        final String host = colon > 0 ? endpoint.substring(0, colon) : endpoint;
        try
        {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        }
        catch (final java.net.UnknownHostException ex)
        {
            return false;
        }
    }

    public Consumer<String> eventLog()
    {
        return eventLog;
    }

    /**
     * Authenticate sessions with {@code verifier}: a connect whose credentials it refuses gets an
     * {@code AUTHENTICATION_FAILED} error and is closed; a read-only user's writes get {@code PERMISSION_DENIED}.
     * Default: the credentials file configured in this process ({@link Credentials#configuredCredentialsFile}), or
     * none (every session may read and write). The caller keeps ownership of a verifier it sets.
     */
    public NodeContext credentialsVerifier(final CredentialsVerifier verifier)
    {
        this.credentialsVerifier = verifier;
        this.credentialsVerifierSet = true;
        return this;
    }

    /**
     * @return the verifier sessions are authenticated with, or {@code null} when authentication is off.
     */
    public CredentialsVerifier credentialsVerifier()
    {
        return credentialsVerifier;
    }

    /**
     * Whether {@link #conclude()} created the verifier (from the configured file), so the node must close it.
     */
    boolean ownsCredentialsVerifier()
    {
        return ownsCredentialsVerifier;
    }
}
