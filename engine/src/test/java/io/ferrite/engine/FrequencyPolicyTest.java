package io.ferrite.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.ferrite.engine.StoreProbe.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented victim choice of LFU and MFU ({@link EvictionPolicyType}, {@link FrequencyPolicy}): an insert
 * starts at level 1, a hit moves an entry up one level, LFU evicts the least recently used entry of the lowest
 * level and MFU of the highest, and aging halves every level so old bursts fade.
 */
@Timeout(30)
class FrequencyPolicyTest
{
    private static final long NO_AGING = 1_000_000_000L;

    private final List<FerriteStore> stores = new ArrayList<>();

    @AfterEach
    void closeStores()
    {
        stores.forEach(FerriteStore::close);
    }

    private FerriteStore open(final EvictionPolicyType policy, final int maxEntries, final long agingPeriod)
    {
        final FerriteStore store = FerriteStore.open(new StoreContext()
            .capacityBytes(64 * 1024).segmentSize(4096).maxEntries(maxEntries).policy(policy)
            .agingPeriod(agingPeriod).clock(new MutableClock(1_000)));
        stores.add(store);
        return store;
    }

    private static void put(final FerriteStore store, final String... keys)
    {
        for (final String key : keys)
        {
            store.put(bytes(key), bytes("value of " + key));
        }
    }

    private static void hit(final FerriteStore store, final String key, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            assertNotNull(store.get(bytes(key)), "hit on " + key + " missed");
        }
    }

    private static int level(final FerriteStore store, final String key)
    {
        final int entry = StoreProbe.entryOf(store, key);
        assertNotEquals(EntryDescriptor.NULL_INDEX, entry, key + " is not in the store");
        return ((FrequencyPolicy)store.policy()).level(entry);
    }

    private static void age(final FerriteStore store)
    {
        ((FrequencyPolicy)store.policy()).age();
    }

    /**
     * Put {@code key} into a full store and return the key that was evicted for it.
     */
    private static String evictedBy(final FerriteStore store, final String key, final Set<String> before)
    {
        put(store, key);
        store.verify();
        final List<String> evicted = new ArrayList<>();
        for (final String k : before)
        {
            if (!store.contains(bytes(k)))
            {
                evicted.add(k);
            }
        }
        assertEquals(1, evicted.size(), "putting " + key + " into a full store should evict exactly one of " + before +
            " but evicted " + evicted);
        return evicted.get(0);
    }

    @Test
    void shouldStartInsertsAtLevelOneAndMoveUpOneLevelPerHit()
    {
        final FerriteStore store = open(EvictionPolicyType.LFU, 8, NO_AGING);
        put(store, "a");
        assertEquals(FrequencyPolicy.START_LEVEL, level(store, "a"), "a new entry starts at level 1");
        hit(store, "a", 3);
        assertEquals(4, level(store, "a"), "three hits move it up three levels");
        put(store, "a");
        assertEquals(5, level(store, "a"), "an update counts as an access");
        hit(store, "a", 100);
        assertEquals(FrequencyPolicy.MAX_LEVEL, level(store, "a"), "levels stop at the top level");
        store.verify();
    }

    @Test
    void shouldEvictLeastFrequentlyUsedWhenFull()
    {
        final FerriteStore store = open(EvictionPolicyType.LFU, 4, NO_AGING);
        put(store, "a", "b", "c", "d");
        hit(store, "a", 3);
        hit(store, "b", 1);
        hit(store, "c", 2);
        assertEquals("d", evictedBy(store, "e", Set.of("a", "b", "c", "d")), "d was never hit: least frequent");
        assertEquals("e", evictedBy(store, "f", Set.of("a", "b", "c", "e")),
            "without aging the new entry (level 1) is the least frequent");
        hit(store, "f", 3);
        assertEquals("b", evictedBy(store, "g", Set.of("a", "b", "c", "f")), "b (level 2) is now the least frequent");
    }

    @Test
    void shouldEvictLeastRecentlyUsedAmongEquallyFrequentInLfu()
    {
        final FerriteStore store = open(EvictionPolicyType.LFU, 4, NO_AGING);
        put(store, "a", "b", "c", "d");
        hit(store, "c", 1);
        hit(store, "a", 1);
        hit(store, "b", 1);
        hit(store, "d", 1);
        assertEquals("c", evictedBy(store, "e", Set.of("a", "b", "c", "d")),
            "a, b, c and d are all at level 2 and c was hit least recently");
    }

    @Test
    void shouldEvictMostFrequentlyUsedWhenFullInMfu()
    {
        final FerriteStore store = open(EvictionPolicyType.MFU, 4, NO_AGING);
        put(store, "a", "b", "c", "d");
        hit(store, "a", 3);
        hit(store, "b", 1);
        hit(store, "c", 2);
        assertEquals("a", evictedBy(store, "e", Set.of("a", "b", "c", "d")), "a (level 4) is the most frequent");
        assertEquals("c", evictedBy(store, "f", Set.of("b", "c", "d", "e")), "then c (level 3)");
        hit(store, "d", 1);
        hit(store, "e", 1);
        assertEquals("b", evictedBy(store, "g", Set.of("b", "d", "e", "f")),
            "b, d and e share level 2: b was used least recently");
    }

    @Test
    void shouldHalveEveryLevelWhenAging()
    {
        final FerriteStore store = open(EvictionPolicyType.LFU, 8, NO_AGING);
        put(store, "a", "b", "c", "d");
        hit(store, "a", 6);
        hit(store, "b", 3);
        hit(store, "c", 1);
        assertEquals(List.of(7, 4, 2, 1), List.of(level(store, "a"), level(store, "b"), level(store, "c"),
            level(store, "d")), "levels before aging");
        age(store);
        store.verify();
        assertEquals(List.of(3, 2, 1, 0), List.of(level(store, "a"), level(store, "b"), level(store, "c"),
            level(store, "d")), "levels after one halving");
        age(store);
        store.verify();
        assertEquals(List.of(1, 1, 0, 0), List.of(level(store, "a"), level(store, "b"), level(store, "c"),
            level(store, "d")), "levels after two halvings");
    }

    @Test
    void shouldRankFormerlyLessFrequentFirstWithinAMergedLevel()
    {
        final FerriteStore store = open(EvictionPolicyType.LFU, 2, NO_AGING);
        put(store, "x", "y");
        hit(store, "y", 2);
        hit(store, "x", 1);
        age(store);
        assertEquals(1, level(store, "x"), "x: level 2 halves to 1");
        assertEquals(1, level(store, "y"), "y: level 3 halves to 1");
        assertEquals("x", StoreProbe.victimKey(store),
            "x was less frequent than y before aging, so it is evicted first although it was used more recently");
        store.verify();
    }

    @Test
    void shouldNotPinAnEntryForeverAfterABurstLongAgo()
    {
        final FerriteStore withAging = open(EvictionPolicyType.LFU, 3, 8);
        final FerriteStore withoutAging = open(EvictionPolicyType.LFU, 3, NO_AGING);
        for (final FerriteStore store : List.of(withAging, withoutAging))
        {
            put(store, "burst", "b", "c");
            hit(store, "burst", 30);
            assertTrue(level(store, "burst") > level(store, "b"),
                "right after its burst the entry is the most frequent");
            for (int round = 0; round < 20; round++)
            {
                hit(store, "b", 1);
                hit(store, "c", 1);
            }
            store.verify();
        }
        assertEquals(0, level(withAging, "burst"), "after many aging periods without hits the burst has faded");
        assertTrue(level(withAging, "b") > 0 && level(withAging, "c") > 0, "b and c stay in use and above level 0");
        assertEquals("burst", evictedBy(withAging, "d", Set.of("burst", "b", "c")),
            "with aging, the entry hit in a burst long ago is evicted once the others are used more");
        assertNotEquals("burst", evictedBy(withoutAging, "d", Set.of("burst", "b", "c")),
            "(control) without aging the old burst pins its entry");
        assertTrue(withoutAging.contains(bytes("burst")), "(control) without aging the burst entry stays");
    }

    @Test
    void shouldNotAlwaysEvictTheNewestEntryOnceOldFrequenciesDecay()
    {
        final FerriteStore store = open(EvictionPolicyType.LFU, 4, NO_AGING);
        put(store, "a", "b", "c");
        hit(store, "a", 1);
        hit(store, "b", 1);
        hit(store, "c", 1);
        age(store);
        age(store);
        assertEquals(0, level(store, "a"), "one hit long ago decays to level 0");
        put(store, "new1");
        final String first = evictedBy(store, "new2", Set.of("a", "b", "c", "new1"));
        assertTrue(Set.of("a", "b", "c").contains(first), "an entry at level 0 is evicted before the new entry " +
            "new1 (level 1), but " + first + " was");
        final String second = evictedBy(store, "new3", Set.of("a", "b", "c", "new1", "new2").stream()
            .filter(k -> !k.equals(first)).collect(Collectors.toSet()));
        assertTrue(Set.of("a", "b", "c").contains(second), "again an old decayed entry is the victim, not a new " +
            "one, but " + second + " was");
        assertTrue(store.contains(bytes("new1")) && store.contains(bytes("new2")), "the new entries survive");
    }

    /**
     * A word stores its epoch in 24 bits: an entry neither hit nor swept for 2^24 agings would read as freshly
     * placed (its level computed from a wrapped age) while it sits on level 0. Aging rewrites every word each
     * {@link FrequencyPolicy#REFRESH_EPOCHS} epochs so that cannot happen.
     */
    @Test
    void shouldRewriteEveryFrequencyWordLongBeforeTheEpochWraps()
    {
        final FerriteStore store = open(EvictionPolicyType.LFU, 8, NO_AGING);
        put(store, "cold", "hot");
        hit(store, "hot", 40);
        final int cold = StoreProbe.entryOf(store, "cold");
        final int hot = StoreProbe.entryOf(store, "hot");
        for (int i = 0; i < FrequencyPolicy.REFRESH_EPOCHS; i++)
        {
            age(store);
        }
        assertEquals(FrequencyPolicy.REFRESH_EPOCHS, store.lists().policyWord(cold) >>> 8,
            "after REFRESH_EPOCHS agings the cold entry's word must carry the current epoch");
        assertEquals(FrequencyPolicy.REFRESH_EPOCHS, store.lists().policyWord(hot) >>> 8,
            "and so must every other entry's");
        assertEquals(0, level(store, "cold"));
        assertEquals(0, level(store, "hot"));
        store.verify();
    }

    @Test
    void shouldAgeAutomaticallyAfterTheAgingPeriod()
    {
        final FerriteStore store = open(EvictionPolicyType.MFU, 4, 10);
        put(store, "a", "b");
        hit(store, "a", 5);
        assertEquals(6, level(store, "a"), "7 operations, no aging yet");
        hit(store, "b", 2);
        assertEquals(6, level(store, "a"), "9 operations, no aging yet");
        hit(store, "b", 1);
        assertEquals(3, level(store, "a"), "the 10th operation halved every level");
        assertEquals(2, level(store, "b"), "b reached level 4 on the 10th operation, then halved");
        assertFalse(store.stats().evictions() > 0, "nothing was evicted");
        store.verify();
    }
}
