package io.ferrite.engine;

/**
 * System properties and defaults of a store; a {@link StoreContext} starts from these.
 */
public final class StoreConfiguration
{
    /** Directory of a persistent store; unset means anonymous (memory only, gone on close). */
    public static final String DIR_PROP_NAME = "ferrite.engine.dir";

    /** Memory budget in bytes: everything mapped (index, metadata and data) fits in it. */
    public static final String CAPACITY_BYTES_PROP_NAME = "ferrite.engine.capacity.bytes";
    public static final long CAPACITY_BYTES_DEFAULT = 64L * 1024 * 1024;

    /** Maximum number of entries; 0 derives it from the capacity assuming {@link #AVERAGE_ENTRY_BYTES}. */
    public static final String MAX_ENTRIES_PROP_NAME = "ferrite.engine.max.entries";
    public static final long AVERAGE_ENTRY_BYTES = 256;

    /** Log segment size, a power of two; 0 picks one from the capacity (at most 4 MiB, at least 4 KiB). */
    public static final String SEGMENT_SIZE_PROP_NAME = "ferrite.engine.segment.size";
    public static final int SEGMENT_SIZE_MAX_DEFAULT = 4 * 1024 * 1024;
    public static final int SEGMENT_SIZE_MIN = 4096;

    /** Eviction policy: LRU, LFU, MFU or WINDOW_TINY_LFU (the default: highest hit ratio across real traces). */
    public static final String POLICY_PROP_NAME = "ferrite.engine.policy";
    public static final EvictionPolicyType POLICY_DEFAULT = EvictionPolicyType.WINDOW_TINY_LFU;

    /** What to do with a store that was not closed cleanly: REBUILD, DISCARD or REJECT. */
    public static final String RECOVERY_PROP_NAME = "ferrite.engine.recovery";
    public static final RecoveryMode RECOVERY_DEFAULT = RecoveryMode.REBUILD;

    /** Largest share of the data log that live entries may fill; the rest lets the cleaner work cheaply. */
    public static final String FILL_RATIO_PROP_NAME = "ferrite.engine.fill.ratio";
    public static final double FILL_RATIO_DEFAULT = 0.9;

    /** Accesses between two halvings of LFU/MFU frequencies; 0 means ten times the maximum entries. */
    public static final String AGING_PERIOD_PROP_NAME = "ferrite.engine.aging.period";

    /** Longest key in bytes. */
    public static final int MAX_KEY_LENGTH = 64 * 1024;

    /** Entries examined for expiry by the incremental sweep on every put. */
    public static final int SWEEP_PER_PUT = 2;

    private StoreConfiguration()
    {
    }

    public static String dir()
    {
        return System.getProperty(DIR_PROP_NAME);
    }

    public static long capacityBytes()
    {
        return Long.getLong(CAPACITY_BYTES_PROP_NAME, CAPACITY_BYTES_DEFAULT);
    }

    public static long maxEntries()
    {
        return Long.getLong(MAX_ENTRIES_PROP_NAME, 0);
    }

    public static int segmentSize()
    {
        return Integer.getInteger(SEGMENT_SIZE_PROP_NAME, 0);
    }

    public static EvictionPolicyType policy()
    {
        final String value = System.getProperty(POLICY_PROP_NAME);
        return null == value ? POLICY_DEFAULT : EvictionPolicyType.valueOf(value.trim().toUpperCase());
    }

    public static RecoveryMode recovery()
    {
        final String value = System.getProperty(RECOVERY_PROP_NAME);
        return null == value ? RECOVERY_DEFAULT : RecoveryMode.valueOf(value.trim().toUpperCase());
    }

    public static double fillRatio()
    {
        final String value = System.getProperty(FILL_RATIO_PROP_NAME);
        return null == value ? FILL_RATIO_DEFAULT : Double.parseDouble(value);
    }

    public static long agingPeriod()
    {
        return Long.getLong(AGING_PERIOD_PROP_NAME, 0);
    }
}
