package io.ferrite.engine;

/**
 * The eviction policies a store can use; chosen when the store is created and recorded in its files.
 */
public enum EvictionPolicyType
{
    /**
     * Least recently used, exact: a hit moves the entry to the head of one list, the tail is the victim.
     */
    LRU,

    /**
     * Least frequently used with aging: entries sit on 32 frequency levels (a hit moves an entry up one level);
     * the victim is the least recently used entry of the lowest non-empty level. Every aging period all
     * frequencies are halved, so a burst long ago does not pin an entry forever and new entries (which start at
     * level 1) are not always the victims.
     */
    LFU,

    /**
     * Most frequently used, with the same levels and aging as {@link #LFU}: the victim is the least recently
     * used entry of the highest non-empty level.
     */
    MFU,

    /**
     * Adaptive W-TinyLFU, the default: a recency window in front of a segmented main space, admission to the main
     * space by a frequency sketch (the more frequently requested of the window's oldest entry and the main space's
     * victim stays), and the window's share steered online by marginal evidence (a key that returns soon after
     * leaving one side moves the split towards that side, a hit near probation's tail towards the main space).
     * High hit ratios on recency-, frequency- and loop-dominated
     * traffic alike; see {@code perf-results/hit-ratio}. Appended last: ordinals are stored in files.
     */
    WINDOW_TINY_LFU
}
