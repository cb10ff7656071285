package io.ferrite.engine;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;
import static io.ferrite.engine.WindowTinyLfuDescriptor.*;

/**
 * Adaptive W-TinyLFU: a small LRU window in front of a segmented LRU main space, admission to the main space by
 * a frequency sketch, and the split between window and main steered by ghost hits (ARC's adaptation rule).
 * <p>
 * <b>Structure.</b> Three lists of entries: the window, and the main space split into probation and protected.
 * A new entry enters the window. When the window is over its share, its least recently used entry is the
 * <i>candidate</i> for the main space and the least recently used entry of probation is the <i>victim</i>; a
 * {@link FrequencySketch} estimates how often each key was requested recently and the more frequent one stays
 * (a tie keeps the victim, which protects a stable working set from scans and loops). A hit in probation promotes
 * to protected; protected overflow is demoted back to the head of probation. Recency decides within the window,
 * frequency decides who enters the main space, and the main space keeps what was used repeatedly.
 * <p>
 * <b>Adaptivity.</b> The best window share depends on the workload: recency-skewed traffic wants a large window,
 * frequency-skewed or looping traffic a tiny one. The window target follows marginal evidence, in the manner of
 * ARC: each piece of evidence says that one side a little larger (by {@link #GHOST_HORIZON} of the capacity but at
 * least {@link #MIN_HORIZON}, h entries) would have turned a miss into a hit, or that it a little smaller would have
 * turned a hit into a miss, and moves the target one entry accordingly. Three kinds of evidence count:
 * <ul>
 *   <li><i>Window ghost hit:</i> every evicted key leaves a ghost (its hash, the side it left and that side's
 *   eviction sequence number) in a small direct-mapped table. A missed key whose ghost shows it left the window
 *   (lost an admission contest) within the last h window evictions would have hit in a window h larger:
 *   one entry towards the window.</li>
 *   <li><i>Main ghost hit:</i> the same for a key evicted from the main space: one entry towards main.</li>
 *   <li><i>Probation edge hit:</i> a hit on one of the last h entries of probation is a hit the main space would
 *   lose if it were h smaller: one entry towards main. Without this, a main space that rarely evicts (admission
 *   rejects most candidates) gives no evidence for itself, and window ghosts alone pull the window open until
 *   the main space's working set no longer fits. Probation is ordered by link stamp (entries enter at its head
 *   with the next stamp, or at its tail with a stamp below the tail's), so the stamp difference to the tail is an
 *   upper bound of an entry's distance from it: the test never mistakes a far entry for a near one.</li>
 * </ul>
 * Only marginal evidence counts: a loop longer than the cache re-requests its keys long after they left, so it
 * never pulls the window open, while a burst of quick re-references (recency) does at once. This replaces
 * Caffeine's sampled hill climber, whose samples of ten capacities adapt too slowly on short or recency-skewed
 * traces. Resizing never lets an entry skip admission: a growing window takes its room from the main space's
 * evictions as new entries arrive, and a shrinking window hands its oldest entries to probation, at the head if
 * they would win the admission contest against probation's victim and at the tail (next to be evicted)
 * otherwise. At most {@link #TRANSFER_LIMIT} entries move per request.
 * <p>
 * <b>Counting.</b> The sketch counts every insert and every hit, except a request for the same key as the request
 * just before it: a burst of back-to-back requests for one key (a read-modify-write, a client reading a key several
 * times while serving one call) is one use, and counting it as many inflates that key's frequency and, through
 * the sketch's shared counters, its neighbours'. Measured over the traces this lifts the mean hit ratio by about
 * 0.1 point and removes most of the short-trace points where the policy trailed Caffeine.
 * <p>
 * <b>Eviction protocol.</b> The store asks {@link #victim()} before it inserts the new entry. If the window is at
 * its share, the new entry will push the window's oldest out, so the admission contest between that candidate
 * and the probation victim happens then: an admitted candidate moves to the head of probation and the victim is
 * returned, otherwise the candidate itself is. The sketch halves all counters every ten capacities of increments
 * (at least {@link #MIN_SAMPLE}), so popularity ages.
 * <p>
 * <b>Determinism and persistence.</b> No wall clock and no shared random source: hashes come from the store's
 * seeded key hash and fixed mixing constants, and the rare randomised admission that defends against hash
 * flooding (a warm candidate losing forever to an artificially hot victim) draws from an xorshift generator whose
 * state is in the region. Everything (list heads, sizes, adaptation state, sketch, ghosts) lives in the policy
 * region ({@link WindowTinyLfuDescriptor}) and each entry's list id in its policy word, so identical operations
 * give identical victims on every replica and a cleanly closed store reopens with the same behaviour. No
 * allocation on any path.
 */
final class WindowTinyLfuPolicy extends EvictionPolicy
{
    /** Initial share of the capacity for the window. */
    static final double INITIAL_WINDOW_SHARE = 0.01;
    /** Initial share of the main space that is protected. */
    static final double PROTECTED_SHARE = 0.80;
    /**
     * Evidence is marginal if it concerns this share of the capacity: a ghost evicted within that many of its side's
     * evictions, or a probation hit within that many entries of probation's tail.
     */
    static final double GHOST_HORIZON = 0.02;
    /**
     * The evidence horizon in entries, at least (or the capacity, if smaller): for a cache of a few hundred entries
     * 2 % is one or two evictions, so a recency-skewed workload would produce no evidence and the window would stay
     * at its initial 1 % (corda at 100 entries: 14.6 % against LRU's 33.3 %).
     */
    static final int MIN_HORIZON = 8;
    /** Sketch increments between two halvings, in multiples of the capacity. */
    static final int SAMPLE_FACTOR = 10;
    /**
     * Sketch increments between two halvings, at least: ten capacities of a cache of a few dozen entries are a few
     * hundred requests, too short a history for 4-bit counts to tell a returning key from a one-off, and on the
     * recorded traces (and the holdout capacity sets) caches under about 200 entries gained by this floor.
     */
    static final int MIN_SAMPLE = 2048;
    /** At most this many entries move between window and main per request. */
    static final int TRANSFER_LIMIT = 64;
    /** Candidates at least this frequent are admitted against a not-less-frequent victim now and then. */
    static final int FLOOD_GUARD_FREQUENCY = 6;
    /** A warm candidate that loses is admitted anyway with probability 1 / (mask + 1). */
    static final int FLOOD_GUARD_MASK = 127;
    private static final long FLOOD_GUARD_SEED = 0x9E37_79B9_7F4A_7C15L;
    private static final int SEQUENCE_MASK = 0x7FFF_FFFF;
    /** Probation is renumbered before the span of its link stamps reaches this (half the stamp range). */
    static final int STAMP_RENUMBER_SPAN = 1 << 29;
    private static final long MAIN_SIDE_BIT = 1L << 31;

    private final long maxEntries;
    private final int ghostHorizon;
    private final FrequencySketch sketch;
    /** Folds the values of {@link #prefetch} loads so the compiler keeps them. */
    private long sink;
    private final long ghostTable;
    private final int ghostMask;

    WindowTinyLfuPolicy(final EntryLists lists, final MappedMemory memory, final long region, final long maxEntries)
    {
        super(lists, memory, region);
        this.maxEntries = maxEntries;
        this.ghostHorizon = (int)Math.min(maxEntries, Math.max(MIN_HORIZON, GHOST_HORIZON * maxEntries));
        this.sketch = new FrequencySketch(memory, region + SKETCH_OFFSET, sketchLongs(maxEntries),
            region + SKETCH_ADDITIONS_OFFSET, Math.max(MIN_SAMPLE, SAMPLE_FACTOR * maxEntries));
        this.ghostTable = region + ghostTableOffset(maxEntries);
        this.ghostMask = (int)(ghostSlots(maxEntries) - 1);
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
        putInt(ADJUSTMENT_OFFSET, 0);
        putInt(WINDOW_SEQUENCE_OFFSET, 0);
        putInt(MAIN_SEQUENCE_OFFSET, 0);
        putInt(PROBATION_SEQUENCE_OFFSET, 0);
        memory.putLong(region + FLOOD_GUARD_OFFSET, FLOOD_GUARD_SEED);
        memory.putLong(region + LAST_KEY_OFFSET, 0);
        for (int i = 0; i < LIST_COUNT; i++)
        {
            lists.init(list(i));
        }
        sketch.clear();
        for (long slot = 0; slot <= ghostMask; slot++)
        {
            memory.putLong(ghostTable + 8 * slot, 0);
        }
    }

    void onInsert(final int entry)
    {
        final int hash = lists.hash(entry);
        final long window = list(WINDOW);
        lists.linkFirst(window, entry);
        lists.policyWord(entry, WINDOW);
        if (!repeatsLastKey(hash))
        {
            sketch.increment(hash);
        }
        checkGhost(hash);
        final int windowMax = getInt(WINDOW_MAX_OFFSET);
        while (lists.count(window) > windowMax)
        {
            transfer(lists.tail(window), WINDOW, PROBATION);
        }
        adapt();
    }

    /**
     * Load the sketch line of the entry's key, so a batch of buffered hits has those misses in flight together.
     */
    void prefetch(final int entry, final int hash)
    {
        sink += sketch.touch(hash);
    }

    void onAccess(final int entry, final int hash)
    {
        if (!repeatsLastKey(hash))
        {
            sketch.increment(hash);
        }
        final int word = lists.policyWord(entry);
        final int from = word & LIST_MASK;
        if (PROBATION == from)
        {
            if (sinceTail(word >>> STAMP_SHIFT) < ghostHorizon)
            {
                putInt(ADJUSTMENT_OFFSET, getInt(ADJUSTMENT_OFFSET) - 1);
            }
            transfer(entry, PROBATION, PROTECTED);
            demoteProtected();
        }
        else
        {
            lists.moveToFirst(list(from), entry);
        }
        adapt();
    }

    void onRemove(final int entry)
    {
        lists.unlink(list(lists.policyWord(entry) & LIST_MASK), entry);
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
        if (windowCount > 0 && (windowCount >= getInt(WINDOW_MAX_OFFSET) || NULL_INDEX == victim))
        {
            final int candidate = lists.tail(window);
            if (NULL_INDEX != victim && admit(lists.hash(candidate), lists.hash(victim)))
            {
                transfer(candidate, WINDOW, PROBATION);
                ghost(lists.hash(victim), MAIN_SEQUENCE_OFFSET, MAIN_SIDE_BIT);
                return victim;
            }
            ghost(lists.hash(candidate), WINDOW_SEQUENCE_OFFSET, 0);
            return candidate;
        }
        if (NULL_INDEX != victim)
        {
            ghost(lists.hash(victim), MAIN_SEQUENCE_OFFSET, MAIN_SIDE_BIT);
        }
        return victim;
    }

    private boolean admit(final int candidateHash, final int victimHash)
    {
        final int candidateFrequency = sketch.frequency(candidateHash);
        if (candidateFrequency > sketch.frequency(victimHash))
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
     * Whether the key with {@code hash} is the one the previous request was for; remembers it for the next.
     */
    private boolean repeatsLastKey(final int hash)
    {
        final long key = (1L << 32) | (hash & 0xFFFF_FFFFL);
        final long address = region + LAST_KEY_OFFSET;
        if (memory.getLong(address) == key)
        {
            return true;
        }
        memory.putLong(address, key);
        return false;
    }

    /**
     * Remember that the key with {@code hash} was just evicted from one side.
     */
    private void ghost(final int hash, final int sequenceOffset, final long sideBit)
    {
        final int sequence = (getInt(sequenceOffset) + 1) & SEQUENCE_MASK;
        putInt(sequenceOffset, sequence);
        memory.putLong(ghostSlot(hash), ((long)hash << 32) | sideBit | sequence);
    }

    /**
     * On the insert of a missed key, steer the window target towards the side that would have kept it.
     */
    private void checkGhost(final int hash)
    {
        final long slot = ghostSlot(hash);
        final long ghost = memory.getLong(slot);
        if (0 == ghost || (int)(ghost >>> 32) != hash)
        {
            return;
        }
        memory.putLong(slot, 0);
        final boolean main = 0 != (ghost & MAIN_SIDE_BIT);
        final int now = getInt(main ? MAIN_SEQUENCE_OFFSET : WINDOW_SEQUENCE_OFFSET);
        final int age = (now - (int)ghost) & SEQUENCE_MASK;
        if (age <= ghostHorizon)
        {
            putInt(ADJUSTMENT_OFFSET, getInt(ADJUSTMENT_OFFSET) + (main ? -1 : 1));
        }
    }

    private long ghostSlot(final int hash)
    {
        int x = hash * 0x9E37_79B9;
        x ^= x >>> 16;
        return ghostTable + 8L * (x & ghostMask);
    }

    /**
     * Apply (a bounded part of) the pending adjustment of the window target.
     */
    private void adapt()
    {
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

    /**
     * Grow the window by up to {@code quota} entries, taking the room from the protected share. No entry moves:
     * the window fills with new entries while {@link #victim()} evicts the main space's surplus from probation.
     */
    private void increaseWindow(final int quota)
    {
        final int protectedMax = getInt(PROTECTED_MAX_OFFSET);
        final int steps = Math.min(Math.min(quota, protectedMax), TRANSFER_LIMIT);
        putInt(PROTECTED_MAX_OFFSET, protectedMax - steps);
        putInt(WINDOW_MAX_OFFSET, getInt(WINDOW_MAX_OFFSET) + steps);
        demoteProtected();
        putInt(ADJUSTMENT_OFFSET, steps < protectedMax ? quota - steps : 0);
    }

    /**
     * Shrink the window (never below one entry) by up to {@code quota} entries, giving the room to the protected
     * share. The window's least recently used entries move to probation: to its head if they would win the
     * admission contest against probation's victim, otherwise to its tail, so they leave first.
     */
    private void decreaseWindow(final int quota)
    {
        final int windowMax = getInt(WINDOW_MAX_OFFSET);
        final int steps = Math.min(Math.min(quota, windowMax - 1), TRANSFER_LIMIT);
        final long window = list(WINDOW);
        final long probation = list(PROBATION);
        final int newMax = windowMax - steps;
        while (lists.count(window) > newMax)
        {
            final int candidate = lists.tail(window);
            final int victim = lists.tail(probation);
            if (NULL_INDEX != victim &&
                sketch.frequency(lists.hash(candidate)) <= sketch.frequency(lists.hash(victim)))
            {
                final int stamp = (stamp(victim) - 1) & STAMP_MASK;
                lists.unlink(window, candidate);
                lists.linkLast(probation, candidate);
                lists.policyWord(candidate, (stamp << STAMP_SHIFT) | PROBATION);
            }
            else
            {
                transfer(candidate, WINDOW, PROBATION);
            }
        }
        putInt(WINDOW_MAX_OFFSET, newMax);
        putInt(PROTECTED_MAX_OFFSET, getInt(PROTECTED_MAX_OFFSET) + steps);
        putInt(ADJUSTMENT_OFFSET, newMax > 1 ? -(quota - steps) : 0);
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

    /**
     * Move {@code entry} to the head of list {@code to}; on probation it takes the next link stamp.
     */
    private void transfer(final int entry, final int from, final int to)
    {
        lists.unlink(list(from), entry);
        lists.linkFirst(list(to), entry);
        lists.policyWord(entry, PROBATION == to ? (nextProbationStamp() << STAMP_SHIFT) | PROBATION : to);
    }

    private int stamp(final int entry)
    {
        return lists.policyWord(entry) >>> STAMP_SHIFT;
    }

    /**
     * How far {@code stamp} is above the stamp of probation's tail, modulo 2^30: an upper bound of the distance from
     * the tail of the probation entry holding it.
     */
    private int sinceTail(final int stamp)
    {
        return (stamp - stamp(lists.tail(list(PROBATION)))) & STAMP_MASK;
    }

    /**
     * The link stamp for an entry about to become probation's head. Stamps are compared modulo 2^30; should the
     * span from the tail's stamp reach {@link #STAMP_RENUMBER_SPAN} (an entry that sat at the tail through 2^29
     * links, which only a pathological workload does), probation is renumbered from its tail so comparisons stay
     * exact.
     */
    private int nextProbationStamp()
    {
        int stamp = (getInt(PROBATION_SEQUENCE_OFFSET) + 1) & STAMP_MASK;
        if (lists.count(list(PROBATION)) > 0 && sinceTail(stamp) >= STAMP_RENUMBER_SPAN)
        {
            renumberProbation();
            stamp = getInt(PROBATION_SEQUENCE_OFFSET) + 1;
        }
        putInt(PROBATION_SEQUENCE_OFFSET, stamp);
        return stamp;
    }

    /**
     * Give probation's entries consecutive link stamps from 1 at the tail; the sequence continues from the head's.
     */
    private void renumberProbation()
    {
        int stamp = 0;
        for (int entry = lists.tail(list(PROBATION)); NULL_INDEX != entry; entry = lists.prev(entry))
        {
            lists.policyWord(entry, (++stamp << STAMP_SHIFT) | PROBATION);
        }
        putInt(PROBATION_SEQUENCE_OFFSET, stamp);
    }

    /**
     * A store written before probation had link stamps (its sequence is still zero but probation holds entries,
     * all stamped zero) gets them now, in list order, so the order check and the edge test hold from the start.
     */
    void adopted()
    {
        if (0 == getInt(PROBATION_SEQUENCE_OFFSET) && lists.count(list(PROBATION)) > 0)
        {
            renumberProbation();
        }
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
        if ((word & LIST_MASK) != listIndex || (PROBATION != listIndex && word != listIndex))
        {
            return "entry " + entry + " is on list " + listIndex + " but its policy word is " + word;
        }
        if (PROBATION == listIndex && NULL_INDEX != lists.next(entry))
        {
            if (sinceTail(stamp(entry)) <= sinceTail(stamp(lists.next(entry))))
            {
                return "probation entry " + entry + " has link stamp " + stamp(entry) + ", not above the stamp " +
                    stamp(lists.next(entry)) + " of the entry after it";
            }
        }
        final int windowMax = getInt(WINDOW_MAX_OFFSET);
        final int protectedMax = getInt(PROTECTED_MAX_OFFSET);
        if (windowMax < 1 || protectedMax < 0 || (long)windowMax + protectedMax > maxEntries)
        {
            return "window maximum " + windowMax + " and protected maximum " + protectedMax + " do not fit " +
                maxEntries + " entries";
        }
        if (lists.count(list(WINDOW)) > windowMax)
        {
            return "window holds " + lists.count(list(WINDOW)) + " entries, more than its maximum " + windowMax;
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
}
