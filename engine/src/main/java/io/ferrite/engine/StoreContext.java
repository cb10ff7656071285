package io.ferrite.engine;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.io.File;

/**
 * Settings for opening a {@link FerriteStore}; fluent setters, validated once by {@link #conclude()}.
 * A context is used for one store only.
 * <p>
 * When a persistent store already exists in {@link #dir(File)}, its files decide capacity, entries, segment
 * size and policy; a value set here explicitly that disagrees with the files is an error rather than a
 * silent resize.
 */
public final class StoreContext
{
    private boolean concluded;
    private File dir = null == StoreConfiguration.dir() ? null : new File(StoreConfiguration.dir());
    private File anonymousDir = defaultAnonymousDir();
    private long capacityBytes = -1;
    private long maxEntries = -1;
    private int segmentSize = -1;
    private EvictionPolicyType policy;
    private RecoveryMode recoveryMode = StoreConfiguration.recovery();
    private double fillRatio = StoreConfiguration.fillRatio();
    private long agingPeriod = StoreConfiguration.agingPeriod();
    private boolean deleteOnOpen;
    private EpochClock clock = SystemEpochClock.INSTANCE;

    /**
     * Check and complete the settings; called by {@link FerriteStore#open(StoreContext)}.
     *
     * @throws IllegalStateException if this context was used already.
     * @throws IllegalArgumentException naming the setting that is out of range.
     */
    public StoreContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("a StoreContext is used for one store only");
        }
        concluded = true;
        if (capacityBytes != -1 && capacityBytes < 64 * 1024)
        {
            throw new IllegalArgumentException("capacityBytes must be at least 64 KiB: " + capacityBytes);
        }
        if (maxEntries != -1 && (maxEntries < 1 || maxEntries > Integer.MAX_VALUE - 1))
        {
            throw new IllegalArgumentException("maxEntries must be in [1, 2^31 - 2]: " + maxEntries);
        }
        if (segmentSize != -1 && (segmentSize < StoreConfiguration.SEGMENT_SIZE_MIN ||
            Integer.bitCount(segmentSize) != 1 || segmentSize > MappedMemory.CHUNK_LENGTH))
        {
            throw new IllegalArgumentException("segmentSize must be a power of two in [4 KiB, 1 GiB]: " + segmentSize);
        }
        if (!(fillRatio >= 0.5 && fillRatio <= 0.98))
        {
            throw new IllegalArgumentException("fillRatio must be in [0.5, 0.98]: " + fillRatio);
        }
        if (agingPeriod < 0)
        {
            throw new IllegalArgumentException("agingPeriod must not be negative: " + agingPeriod);
        }
        if (null == recoveryMode || null == clock)
        {
            throw new IllegalArgumentException("recoveryMode and clock must be set");
        }
        if (null == dir && null == anonymousDir)
        {
            throw new IllegalArgumentException("an anonymous store needs anonymousDir");
        }
        return this;
    }

    /**
     * Directory of a persistent store (created if missing); {@code null} makes the store anonymous.
     */
    public StoreContext dir(final File dir)
    {
        this.dir = dir;
        return this;
    }

    public File dir()
    {
        return dir;
    }

    /**
     * Where the unlinked backing file of an anonymous store is created: {@code /dev/shm} when it exists.
     */
    public StoreContext anonymousDir(final File anonymousDir)
    {
        this.anonymousDir = anonymousDir;
        return this;
    }

    public File anonymousDir()
    {
        return anonymousDir;
    }

    /**
     * The memory budget: index, entry metadata and data together take no more than this many bytes.
     */
    public StoreContext capacityBytes(final long capacityBytes)
    {
        this.capacityBytes = capacityBytes;
        return this;
    }

    public long capacityBytes()
    {
        return capacityBytes;
    }

    /**
     * The most entries the store holds; the index and entry table are sized for it.
     */
    public StoreContext maxEntries(final long maxEntries)
    {
        this.maxEntries = maxEntries;
        return this;
    }

    public long maxEntries()
    {
        return maxEntries;
    }

    /**
     * Size of a data log segment (power of two); also the largest block, so it bounds key + value length.
     */
    public StoreContext segmentSize(final int segmentSize)
    {
        this.segmentSize = segmentSize;
        return this;
    }

    public int segmentSize()
    {
        return segmentSize;
    }

    public StoreContext policy(final EvictionPolicyType policy)
    {
        this.policy = policy;
        return this;
    }

    public EvictionPolicyType policy()
    {
        return policy;
    }

    public StoreContext recoveryMode(final RecoveryMode recoveryMode)
    {
        this.recoveryMode = recoveryMode;
        return this;
    }

    public RecoveryMode recoveryMode()
    {
        return recoveryMode;
    }

    public StoreContext fillRatio(final double fillRatio)
    {
        this.fillRatio = fillRatio;
        return this;
    }

    public double fillRatio()
    {
        return fillRatio;
    }

    public StoreContext agingPeriod(final long agingPeriod)
    {
        this.agingPeriod = agingPeriod;
        return this;
    }

    public long agingPeriod()
    {
        return agingPeriod;
    }

    /**
     * Delete the store's files in {@link #dir()} once its lock is held, so the store starts empty.
     */
    public StoreContext deleteOnOpen(final boolean deleteOnOpen)
    {
        this.deleteOnOpen = deleteOnOpen;
        return this;
    }

    public boolean deleteOnOpen()
    {
        return deleteOnOpen;
    }

    /**
     * The clock for TTL expiry; a replicated store passes the cluster's time.
     */
    public StoreContext clock(final EpochClock clock)
    {
        this.clock = clock;
        return this;
    }

    public EpochClock clock()
    {
        return clock;
    }

    private static File defaultAnonymousDir()
    {
        final File shm = new File("/dev/shm");
        return shm.isDirectory() && shm.canWrite() ? shm : new File(System.getProperty("java.io.tmpdir"));
    }
}
