package io.ferrite.engine;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;
import static io.ferrite.engine.WindowTinyLfuDescriptor.*;

/**
 * Adaptive W-TinyLFU: a small LRU window in front of a segmented LRU main space, with admission to the main
 * space decided by a frequency sketch, and the window's share of the capacity tuned online by hill climbing.
 * <p>
 * <b>Structure.</b> Three lists of entries: the window, and the main space split into probation and protected.
 * A new entry enters the window. When the window is over its share, its least recently used entry is the
 * <i>candidate</i> for the main space and the least recently used entry of probation is the <i>victim</i>; the
 * {@link FrequencySketch} estimates how often each key was requested recently and the more frequent one stays
 * (ties keep the victim, which protects a stable working set from scans and loops). A hit in probation promotes
 * to protected; protected overflow is demoted back to the head of probation. So recency decides within the
 * window, frequency decides who enters the main space, and the main space keeps what was used repeatedly.
 * <p>
 * <b>Adaptivity.</b> Which share of the capacity should be window depends on the workload: recency-skewed
 * traffic wants a large window, frequency-skewed or looping traffic a tiny one. Every sample of requests the
 * hill climber compares the hit ratio with the previous sample's and keeps moving the window boundary in the
 * same direction if the hit ratio rose, reversing otherwise; the step decays geometrically while the workload is
 * stable and restarts large when the hit ratio jumps (a phase change). Entries move between window and main in
 * bounded batches so no single request pays for a large adjustment.
 * <p>
 * <b>Eviction protocol.</b> The store asks {@link #victim()} before it inserts the new entry. If the window is
 * at its share, the new entry will push the window's oldest out, so the admission contest between that
 * candidate and the probation victim happens then: an admitted candidate moves to the head of probation and
 * the probation victim is returned, otherwise the candidate itself is returned. The sketch counts every insert
 * and every hit; it is halved every ten times the capacity in counted events, so popularity ages.
 * <p>
 * <b>Determinism and persistence.</b> No wall clock and no shared random source: hashes come from the store's
 * seeded key hash and fixed mixing constants, and the rare randomised admission that defends against hash
 * flooding (a warm candidate losing forever to an artificially hot victim) draws from an xorshift generator
 * whose state is in the region. Everything (list heads, sizes, climber state, sketch) lives in the policy region
 * ({@link WindowTinyLfuDescriptor}) and each entry's list id in its policy word, so identical operations give
 * identical victims on every replica, and a cleanly closed store reopens with the same behaviour. Zero
 * allocation on every path.
 */
final class WindowTinyLfuPolicy extends EvictionPolicy
{
    /** Initial share of the capacity for the window. */
    static final double INITIAL_WINDOW_SHARE = 0.01;
    /** Share of the main space that is protected. */
    static final double PROTECTED_SHARE = 0.80;
    /** Climber step as a share of the capacity, when it starts or restarts. */
    static final double STEP_SHARE = 0.0625;
    /** Each sample without a jump, the step shrinks by this factor. */
    static final double STEP_DECAY = 0.98;
    /** A change of hit ratio this large between two samples restarts the climb with a full step. */
    static final double RESTART_THRESHOLD = 0.05;
    /** Requests per climber sample, in multiples of the capacity. */
    static final int SAMPLE_FACTOR = 10;
    /** At most this many entries move between window and main per request. */
    static final int TRANSFER_LIMIT = 1000;
    /** Candidates at least this frequent are admitted against a not-less-frequent victim now and then. */
    static final int FLOOD_GUARD_FREQUENCY = 6;
    static final int FLOOD_GUARD_MASK = 127;
    private static final long FLOOD_GUARD_SEED = 0x9E37_79B9_7F4A_7C15L;

    private final long maxEntries;
    private final long samplePeriod;
    private final FrequencySketch sketch;

    WindowTinyLfuPolicy(final EntryLists lists, final MappedMemory memory, final long region, final long maxEntries)
    {
        super(lists, memory, region);
        this.maxEntries = maxEntries;
        this.samplePeriod = SAMPLE_FACTOR * maxEntries;
        final long sketchLongs = WindowTinyLfuDescriptor.sketchLongs(maxEntries);
        this.sketch = new FrequencySketch(memory, region + SKETCH_OFFSET, sketchLongs,
            region + SKETCH_ADDITIONS_OFFSET, Math.max(16, SAMPLE_FACTOR * maxEntries));
    }

    static long regionLength(final long maxEntries)
    {
        return WindowTinyLfuDescriptor.regionLength(maxEntries);
    }

    void reset()
    {
        final int windowMax = (int)Math.max(1, maxEntries - (long)(maxEntries * (1 - INITIAL_WINDOW_SHARE)));
        putInt(WINDOW_MAX_OFFSET, windowMax);
        putInt(PROTECTED_MAX_OFFSET, (int)(PROTECTED_SHARE * (maxEntries - windowMax)));
        putInt(HITS_OFFSET, 0);
        putInt(MISSES_OFFSET, 0);
        putInt(ADJUSTMENT_OFFSET, 0);
        putDouble(STEP_SIZE_OFFSET, -STEP_SHARE * maxEntries);
        putDouble(PREVIOUS_HIT_RATE_OFFSET, 0);
        memory.putLong(region + FLOOD_GUARD_OFFSET, FLOOD_GUARD_SEED);
        for (int i = 0; i < LIST_COUNT; i++)
        {
            lists.init(list(i));
        }
        sketch.clear();
    }

    void onInsert(final int entry)
    {
        final long window = list(WINDOW);
        lists.linkFirst(window, entry);
        lists.policyWord(entry, WINDOW);
        sketch.increment(lists.hash(entry));
        final int windowMax = getInt(WINDOW_MAX_OFFSET);
        while (lists.count(window) > windowMax)
        {
            transfer(lists.tail(window), WINDOW, PROBATION);
        }
        record(MISSES_OFFSET);
    }

    void onAccess(final int entry)
    {
        sketch.increment(lists.hash(entry));
        final int from = lists.policyWord(entry);
        if (PROBATION == from)
        {
            lists.unlink(list(PROBATION), entry);
            lists.linkFirst(list(PROTECTED), entry);
            lists.policyWord(entry, PROTECTED);
            demoteProtected();
        }
        else
        {
            lists.moveToFirst(list(from), entry);
        }
        record(HITS_OFFSET);
    }

    void onRemove(final int entry)
    {
        lists.unlink(list(lists.policyWord(entry)), entry);
    }

    int victim()
    {
        final long window = list(WINDOW);
        final int windowCount = lists.count(window);
        int victim = lists.tail(list(PROBATION));
        if (NULL_INDEX == victim)
        {
            victim = lists.tail(list(PROTECTED));
        }
        if (windowCount > 0 && windowCount >= getInt(WINDOW_MAX_OFFSET))
        {
            final int candidate = lists.tail(window);
            if (NULL_INDEX == victim)
            {
                return candidate;
            }
            if (admit(lists.hash(candidate), lists.hash(victim)))
            {
                transfer(candidate, WINDOW, PROBATION);
                return victim;
            }
            return candidate;
        }
        return NULL_INDEX != victim ? victim : lists.tail(window);
    }

    private boolean admit(final int candidateHash, final int victimHash)
    {
        final int candidateFrequency = sketch.frequency(candidateHash);
        final int victimFrequency = sketch.frequency(victimHash);
        if (candidateFrequency > victimFrequency)
        {
            return true;
        }
        if (candidateFrequency >= FLOOD_GUARD_FREQUENCY)
        {
            long x = memory.getLong(region + FLOOD_GUARD_OFFSET);
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            memory.putLong(region + FLOOD_GUARD_OFFSET, x);
            return 0 == (x & FLOOD_GUARD_MASK);
        }
        return false;
    }

    /**
     * Count a hit or a miss for the climber (once the cache is half full) and climb when a sample is complete.
     */
    private void record(final int counterOffset)
    {
        if (size() >= maxEntries >>> 1)
        {
            putInt(counterOffset, getInt(counterOffset) + 1);
            final int hits = getInt(HITS_OFFSET);
            final long requests = (long)hits + getInt(MISSES_OFFSET);
            if (requests >= samplePeriod)
            {
                determineAdjustment(hits, requests);
            }
        }
        final int adjustment = getInt(ADJUSTMENT_OFFSET);
        if (adjustment > 0)
        {
            increaseWindow(adjustment);
        }
        else if (adjustment < 0)
        {
            decreaseWindow(-adjustment);
        }
    }

    private void determineAdjustment(final int hits, final long requests)
    {
        final double hitRate = (double)hits / requests;
        final double change = hitRate - getDouble(PREVIOUS_HIT_RATE_OFFSET);
        final double step = getDouble(STEP_SIZE_OFFSET);
        final double amount = change >= 0 ? step : -step;
        final double nextStep = Math.abs(change) >= RESTART_THRESHOLD ?
            STEP_SHARE * maxEntries * (amount >= 0 ? 1 : -1) : STEP_DECAY * amount;
        putDouble(PREVIOUS_HIT_RATE_OFFSET, hitRate);
        putDouble(STEP_SIZE_OFFSET, nextStep);
        putInt(ADJUSTMENT_OFFSET, (int)amount);
        putInt(HITS_OFFSET, 0);
        putInt(MISSES_OFFSET, 0);
    }

    /**
     * Grow the window by up to {@code quota} entries taken from the main space's least recently used ends.
     */
    private void increaseWindow(final int quota)
    {
        int protectedMax = getInt(PROTECTED_MAX_OFFSET);
        int windowMax = getInt(WINDOW_MAX_OFFSET);
        int remaining = Math.min(quota, protectedMax);
        int moved = 0;
        while (remaining > 0 && moved < TRANSFER_LIMIT)
        {
            int entry = lists.tail(list(PROBATION));
            int from = PROBATION;
            if (NULL_INDEX == entry)
            {
                entry = lists.tail(list(PROTECTED));
                from = PROTECTED;
            }
            if (NULL_INDEX == entry)
            {
                break;
            }
            lists.unlink(list(from), entry);
            lists.linkFirst(list(WINDOW), entry);
            lists.policyWord(entry, WINDOW);
            remaining--;
            moved++;
        }
        protectedMax -= moved;
        windowMax += moved;
        putInt(PROTECTED_MAX_OFFSET, protectedMax);
        putInt(WINDOW_MAX_OFFSET, windowMax);
        demoteProtected();
        putInt(ADJUSTMENT_OFFSET, moved == TRANSFER_LIMIT ? quota - moved : 0);
    }

    /**
     * Shrink the window (never below one entry) by up to {@code quota} entries moved to the head of probation.
     */
    private void decreaseWindow(final int quota)
    {
        int windowMax = getInt(WINDOW_MAX_OFFSET);
        final int shrink = Math.min(quota, windowMax - 1);
        final long window = list(WINDOW);
        int moved = 0;
        while (moved < shrink && moved < TRANSFER_LIMIT)
        {
            if (lists.count(window) > windowMax - moved - 1)
            {
                transfer(lists.tail(window), WINDOW, PROBATION);
            }
            moved++;
        }
        windowMax -= moved;
        putInt(WINDOW_MAX_OFFSET, windowMax);
        putInt(PROTECTED_MAX_OFFSET, getInt(PROTECTED_MAX_OFFSET) + moved);
        putInt(ADJUSTMENT_OFFSET, moved == TRANSFER_LIMIT && shrink > moved ? -(quota - moved) : 0);
    }

    private void demoteProtected()
    {
        final long protectedList = list(PROTECTED);
        final int protectedMax = getInt(PROTECTED_MAX_OFFSET);
        while (lists.count(protectedList) > protectedMax)
        {
            transfer(lists.tail(protectedList), PROTECTED, PROBATION);
        }
    }

    private void transfer(final int entry, final int from, final int to)
    {
        lists.unlink(list(from), entry);
        lists.linkFirst(list(to), entry);
        lists.policyWord(entry, to);
    }

    private long size()
    {
        return (long)lists.count(list(WINDOW)) + lists.count(list(PROBATION)) + lists.count(list(PROTECTED));
    }

    /**
     * The window's current maximum in entries (visible for tests).
     */
    int windowMaximum()
    {
        return getInt(WINDOW_MAX_OFFSET);
    }

    /**
     * The sketch's estimate for a key hash (visible for tests).
     */
    int frequency(final int hash)
    {
        return sketch.frequency(hash);
    }

    int listCount()
    {
        return LIST_COUNT;
    }

    long list(final int i)
    {
        return region + LISTS_OFFSET + (long)i * EntryLists.LIST_LENGTH;
    }

    String check(final int entry, final int listIndex)
    {
        final int word = lists.policyWord(entry);
        if (word != listIndex)
        {
            return "entry " + entry + " is on list " + listIndex + " but its policy word says " + word;
        }
        final int windowMax = getInt(WINDOW_MAX_OFFSET);
        final int protectedMax = getInt(PROTECTED_MAX_OFFSET);
        if (windowMax < 1 || protectedMax < 0 || windowMax + protectedMax > maxEntries)
        {
            return "window maximum " + windowMax + " and protected maximum " + protectedMax + " do not fit " +
                maxEntries + " entries";
        }
        if (lists.count(list(PROTECTED)) > protectedMax)
        {
            return "protected holds " + lists.count(list(PROTECTED)) + " entries, more than its maximum " +
                protectedMax;
        }
        return null;
    }

    private int getInt(final int offset)
    {
        return memory.getInt(region + offset);
    }

    private void putInt(final int offset, final int value)
    {
        memory.putInt(region + offset, value);
    }

    private double getDouble(final int offset)
    {
        return Double.longBitsToDouble(memory.getLong(region + offset));
    }

    private void putDouble(final int offset, final double value)
    {
        memory.putLong(region + offset, Double.doubleToRawLongBits(value));
    }
}
