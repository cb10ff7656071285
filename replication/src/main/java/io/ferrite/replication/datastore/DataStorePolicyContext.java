package io.ferrite.replication.datastore;

/**
 * Which datastore policies a replica group runs and how: the read policy (none or read-through), the write policy
 * (none, write-through or write-behind), timeouts, write-behind bounds and batching. Defaults from
 * {@link DataStoreConfiguration}; validated once by {@link #conclude()}. <b>Note:</b> not thread-safe.
 */
public final class DataStorePolicyContext
{
    /**
     * How writes reach the database.
     */
    public enum WritePolicy
    {
        /** The cache only; the application writes its database itself (cache-aside). */
        NONE,
        /** A write is acknowledged after the database committed it and a majority of the group has it. */
        WRITE_THROUGH,
        /** A write is acknowledged once a majority has it; the leader flushes it later, batched and coalesced. */
        WRITE_BEHIND
    }

    private boolean concluded;
    private boolean readThrough = parseRead(DataStoreConfiguration.readPolicy());
    private WritePolicy writePolicy = parse(DataStoreConfiguration.writePolicy());
    private long loadTimeoutMs = DataStoreConfiguration.loadTimeoutMs();
    private long loadedTtlMs;
    private int pendingMaxEntries = DataStoreConfiguration.pendingMaxEntries();
    private long pendingMaxBytes = DataStoreConfiguration.pendingMaxBytes();
    private long writeDelayMs = DataStoreConfiguration.writeDelayMs();
    private int batchSize = DataStoreConfiguration.batchSize();
    private long retryMaxMs = DataStoreConfiguration.retryMaxMs();
    private int maxTrackedWrites = 100_000;

    /**
     * Parse {@code none}, {@code write-through} or {@code write-behind}.
     *
     * @throws IllegalArgumentException for anything else.
     */
    public static WritePolicy parse(final String name)
    {
        switch (name)
        {
            case "none":
                return WritePolicy.NONE;
            case "write-through":
                return WritePolicy.WRITE_THROUGH;
            case "write-behind":
                return WritePolicy.WRITE_BEHIND;
            default:
                throw new IllegalArgumentException("write policy must be none, write-through or write-behind, was " +
                    name + " (" + DataStoreConfiguration.WRITE_POLICY_PROP_NAME + ")");
        }
    }

    /**
     * Parse {@code none} or {@code read-through}.
     *
     * @throws IllegalArgumentException for anything else.
     */
    public static boolean parseRead(final String name)
    {
        if ("none".equals(name) || "read-through".equals(name))
        {
            return "read-through".equals(name);
        }
        throw new IllegalArgumentException("read policy must be none or read-through, was " + name + " (" +
            DataStoreConfiguration.READ_POLICY_PROP_NAME + ")");
    }

    /**
     * @throws IllegalStateException if concluded before or a setting is out of range.
     */
    public DataStorePolicyContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        concluded = true;
        if (loadTimeoutMs < 1 || pendingMaxEntries < 1 || pendingMaxBytes < 1 || writeDelayMs < 0 || batchSize < 1 ||
            retryMaxMs < 1 || loadedTtlMs < 0 || maxTrackedWrites < 1)
        {
            throw new IllegalStateException("datastore policy settings out of range: " + this);
        }
        return this;
    }

    public boolean enabled()
    {
        return readThrough || WritePolicy.NONE != writePolicy;
    }

    public DataStorePolicyContext readThrough(final boolean readThrough)
    {
        this.readThrough = readThrough;
        return this;
    }

    public boolean readThrough()
    {
        return readThrough;
    }

    public DataStorePolicyContext writePolicy(final WritePolicy writePolicy)
    {
        this.writePolicy = writePolicy;
        return this;
    }

    public WritePolicy writePolicy()
    {
        return writePolicy;
    }

    /**
     * How long a read-through caller waits for its load before it gets {@code DATASTORE_TIMEOUT}.
     */
    public DataStorePolicyContext loadTimeoutMs(final long loadTimeoutMs)
    {
        this.loadTimeoutMs = loadTimeoutMs;
        return this;
    }

    public long loadTimeoutMs()
    {
        return loadTimeoutMs;
    }

    /**
     * TTL of entries loaded by read-through; 0 for none.
     */
    public DataStorePolicyContext loadedTtlMs(final long loadedTtlMs)
    {
        this.loadedTtlMs = loadedTtlMs;
        return this;
    }

    public long loadedTtlMs()
    {
        return loadedTtlMs;
    }

    public DataStorePolicyContext pendingMaxEntries(final int pendingMaxEntries)
    {
        this.pendingMaxEntries = pendingMaxEntries;
        return this;
    }

    public int pendingMaxEntries()
    {
        return pendingMaxEntries;
    }

    public DataStorePolicyContext pendingMaxBytes(final long pendingMaxBytes)
    {
        this.pendingMaxBytes = pendingMaxBytes;
        return this;
    }

    public long pendingMaxBytes()
    {
        return pendingMaxBytes;
    }

    public DataStorePolicyContext writeDelayMs(final long writeDelayMs)
    {
        this.writeDelayMs = writeDelayMs;
        return this;
    }

    public long writeDelayMs()
    {
        return writeDelayMs;
    }

    public DataStorePolicyContext batchSize(final int batchSize)
    {
        this.batchSize = batchSize;
        return this;
    }

    public int batchSize()
    {
        return batchSize;
    }

    public DataStorePolicyContext retryMaxMs(final long retryMaxMs)
    {
        this.retryMaxMs = retryMaxMs;
        return this;
    }

    public long retryMaxMs()
    {
        return retryMaxMs;
    }

    /**
     * Keys whose last write position read-through remembers before it forgets them all (see {@link WriteVersions}).
     */
    public DataStorePolicyContext maxTrackedWrites(final int maxTrackedWrites)
    {
        this.maxTrackedWrites = maxTrackedWrites;
        return this;
    }

    public int maxTrackedWrites()
    {
        return maxTrackedWrites;
    }

    public String toString()
    {
        return "DataStorePolicyContext{readThrough=" + readThrough + ", writePolicy=" + writePolicy +
            ", loadTimeoutMs=" + loadTimeoutMs + ", pendingMaxEntries=" + pendingMaxEntries + ", pendingMaxBytes=" +
            pendingMaxBytes + ", writeDelayMs=" + writeDelayMs + ", batchSize=" + batchSize + ", retryMaxMs=" +
            retryMaxMs + "}";
    }
}
