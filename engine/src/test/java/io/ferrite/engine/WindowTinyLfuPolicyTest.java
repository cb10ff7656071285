package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WindowTinyLfuPolicyTest
{
    private static final int OPS = 6_000;

    @TempDir
    File tempDir;

    private final List<FerriteStore> stores = new ArrayList<>();
    private final MutableClock clock = new MutableClock(1_000_000);

    @AfterEach
    void closeStores()
    {
        stores.forEach(FerriteStore::close);
    }

    private FerriteStore open(final StoreContext ctx)
    {
        final FerriteStore store = FerriteStore.open(ctx.clock(clock).policy(EvictionPolicyType.WINDOW_TINY_LFU));
        stores.add(store);
        return store;
    }

    private static byte[] key(final int k)
    {
        return ByteBuffer.allocate(8).putLong(k).array();
    }

    private static byte[] value(final int k, final int version, final int length)
    {
        final byte[] value = new byte[length];
        ByteBuffer.wrap(value).putInt(0, k).putInt(4, version);
        return value;
    }

    /**
     * Random gets, puts, updates and deletes over a skewed key space larger than the store, against a plain map
     * of the last value put: a get returns exactly that value or nothing (evicted), never an older one, and the
     * store's structures agree after every step.
     */
    @Test
    void shouldNeverReturnStaleValuesAndStayConsistentUnderRandomOperations()
    {
        final int[] sizes = { 1, 2, 64, 64 };
        for (int run = 0; run < sizes.length; run++)
        {
            final long seed = run + 1;
            final int maxEntries = sizes[run];
            final FerriteStore store = open(new StoreContext().capacityBytes(256 * 1024).maxEntries(maxEntries));
            final Map<Integer, byte[]> model = new HashMap<>();
            final Random random = new Random(seed);
            int version = 0;
            for (int i = 0; i < OPS; i++)
            {
                final int k = random.nextBoolean() ? random.nextInt(24) : random.nextInt(400);
                final int op = random.nextInt(10);
                if (op < 6)
                {
                    final byte[] got = store.get(key(k));
                    if (null != got)
                    {
                        assertArrayEquals(model.get(k), got, "seed " + seed + " op " + i + " key " + k);
                    }
                    else
                    {
                        final byte[] fresh = value(k, ++version, 8 + random.nextInt(3000));
                        store.put(key(k), fresh);
                        model.put(k, fresh);
                    }
                }
                else if (op < 9)
                {
                    final byte[] fresh = value(k, ++version, 8 + random.nextInt(3000));
                    store.put(key(k), fresh);
                    model.put(k, fresh);
                }
                else
                {
                    store.delete(key(k));
                    model.remove(k);
                    assertNull(store.get(key(k)), "deleted key " + k + " must be gone");
                }
                store.verify();
                assertTrue(store.size() <= maxEntries, "size " + store.size());
            }
            assertTrue(store.stats().evictions() > 0, "expected evictions: " + store.stats());
        }
    }

    @Test
    void shouldEvictIdenticallyInTwoStoresFedTheSameOperations()
    {
        final FerriteStore first = open(new StoreContext().capacityBytes(1 << 20).maxEntries(200));
        final FerriteStore second = open(new StoreContext().capacityBytes(1 << 20).maxEntries(200));
        final Random random = new Random(42);
        for (int i = 0; i < 20_000; i++)
        {
            final int k = skewed(random);
            final boolean hitFirst = getOrPut(first, k);
            final boolean hitSecond = getOrPut(second, k);
            assertEquals(hitFirst, hitSecond, "request " + i + " for key " + k);
        }
        assertEquals(first.stats().evictions(), second.stats().evictions());
        for (int k = 0; k < 2000; k++)
        {
            assertEquals(first.contains(key(k)), second.contains(key(k)), "key " + k);
        }
        first.verify();
        second.verify();
    }

    @Test
    void shouldContinueIdenticallyAfterCleanRestart()
    {
        final File dir = new File(tempDir, "restarted");
        final FerriteStore reference = open(new StoreContext().capacityBytes(1 << 20).maxEntries(200));
        FerriteStore restarted = open(new StoreContext().dir(dir).capacityBytes(1 << 20).maxEntries(200));
        final Random random = new Random(7);
        final int[] keys = new int[30_000];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = skewed(random);
        }
        for (int i = 0; i < keys.length / 2; i++)
        {
            assertEquals(getOrPut(reference, keys[i]), getOrPut(restarted, keys[i]), "request " + i);
        }
        final int window = ((WindowTinyLfuPolicy)restarted.policy()).windowMaximum();
        restarted.close();
        stores.remove(restarted);
        restarted = open(new StoreContext().dir(dir));
        assertEquals(EvictionPolicyType.WINDOW_TINY_LFU, restarted.policyType());
        assertEquals(window, ((WindowTinyLfuPolicy)restarted.policy()).windowMaximum());
        restarted.verify();
        for (int i = keys.length / 2; i < keys.length; i++)
        {
            assertEquals(getOrPut(reference, keys[i]), getOrPut(restarted, keys[i]), "request " + i);
        }
        for (int k = 0; k < 2000; k++)
        {
            assertEquals(reference.contains(key(k)), restarted.contains(key(k)), "key " + k);
        }
        restarted.verify();
    }

    @Test
    void shouldKeepFrequentKeysThroughAScanThatWouldFlushLru()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(1 << 20).maxEntries(100));
        for (int round = 0; round < 20; round++)
        {
            for (int k = 0; k < 50; k++)
            {
                getOrPut(store, k);
            }
        }
        for (int k = 1000; k < 3000; k++)
        {
            getOrPut(store, k);
        }
        int kept = 0;
        for (int k = 0; k < 50; k++)
        {
            kept += store.contains(key(k)) ? 1 : 0;
        }
        assertTrue(kept >= 45, "a scan of one-time keys evicted frequent keys: " + kept + " of 50 kept");
        store.verify();
    }

    @Test
    void shouldWidenTheWindowWhenKeysReturnSoonAfterLeavingIt()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(4 << 20).maxEntries(1000));
        final WindowTinyLfuPolicy policy = (WindowTinyLfuPolicy)store.policy();
        final int initial = policy.windowMaximum();
        final Random random = new Random(3);
        int hits = 0;
        final int requests = 60_000;
        for (int k = 100; k < 100 + requests; k++)
        {
            getOrPut(store, k);
            hits += getOrPut(store, k - 1 - random.nextInt(100)) ? 1 : 0;
        }
        StoreProbe.applyBufferedHits(store);
        assertTrue(policy.windowMaximum() > 100, "window " + initial + " -> " + policy.windowMaximum());
        assertTrue(hits > 0.9 * requests, "recency-only traffic should mostly hit once the window adapted: " + hits);
        store.verify();
    }

    /**
     * A hit on one of probation's last entries is a hit the main space would lose if it were smaller: each moves
     * the window target one entry towards main. Hits far from probation's tail are no such evidence.
     */
    @Test
    void shouldShrinkTheWindowOnHitsAtTheEdgeOfProbationOnly()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(4 << 20).maxEntries(1000));
        final WindowTinyLfuPolicy policy = (WindowTinyLfuPolicy)store.policy();
        final Random random = new Random(3);
        for (int k = 100; k < 20_000; k++)
        {
            getOrPut(store, "k" + k);
            getOrPut(store, "k" + (k - 1 - random.nextInt(100)));
        }
        StoreProbe.applyBufferedHits(store);
        final int widened = policy.windowMaximum();
        assertTrue(widened > 100, "recency traffic should have widened the window: " + widened);
        final long probation = policy.list(WindowTinyLfuDescriptor.PROBATION);
        assertTrue(policy.lists.count(probation) > 100, "probation holds " + policy.lists.count(probation));

        for (int i = 0; i < 30; i++)
        {
            StoreProbe.applyBufferedHits(store);
            final String key = StoreProbe.keyOf(store, policy.lists.head(probation));
            assertTrue(getOrPut(store, key), key + " was on probation but missed");
        }
        StoreProbe.applyBufferedHits(store);
        assertEquals(widened, policy.windowMaximum(), "hits at probation's head moved the window");

        for (int i = 0; i < 30; i++)
        {
            StoreProbe.applyBufferedHits(store);
            final String key = StoreProbe.keyOf(store, policy.lists.tail(probation));
            assertTrue(getOrPut(store, key), key + " was on probation but missed");
        }
        StoreProbe.applyBufferedHits(store);
        assertEquals(widened - 30, policy.windowMaximum(), "30 hits at probation's tail");
        store.verify();
    }

    /**
     * Back-to-back requests for one key are one use: only a request after some other key counts again.
     */
    @Test
    void shouldCountABurstOfRequestsForOneKeyOnce()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(1 << 20).maxEntries(100));
        final WindowTinyLfuPolicy policy = (WindowTinyLfuPolicy)store.policy();
        getOrPut(store, "burst");
        final int hash = policy.lists.hash(StoreProbe.entryOf(store, "burst"));
        assertEquals(1, policy.frequency(hash), "inserted once");
        for (int i = 0; i < 5; i++)
        {
            assertTrue(getOrPut(store, "burst"));
        }
        store.put(StoreProbe.bytes("burst"), StoreProbe.bytes("updated right after a read"));
        StoreProbe.applyBufferedHits(store);
        assertEquals(1, policy.frequency(hash), "a burst of reads and an update of the same key count once");
        for (int i = 0; i < 3; i++)
        {
            getOrPut(store, "other" + i);
            assertTrue(getOrPut(store, "burst"));
        }
        StoreProbe.applyBufferedHits(store);
        assertEquals(4, policy.frequency(hash), "each request after another key counts");
        store.verify();
    }

    /**
     * Probation's link stamps are compared modulo 2^30; just before the span from its tail would reach half of
     * that, the list is renumbered from the tail and keeps its order.
     */
    @Test
    void shouldRenumberProbationBeforeLinkStampsWrap()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(1 << 20).maxEntries(100));
        final WindowTinyLfuPolicy policy = (WindowTinyLfuPolicy)store.policy();
        for (int k = 0; k < 300; k++)
        {
            getOrPut(store, k % 130);
        }
        StoreProbe.applyBufferedHits(store);
        final long probation = policy.list(WindowTinyLfuDescriptor.PROBATION);
        final int tail = policy.lists.tail(probation);
        final int tailStamp = policy.lists.policyWord(tail) >>> WindowTinyLfuDescriptor.STAMP_SHIFT;
        policy.memory.putInt(policy.region + WindowTinyLfuDescriptor.PROBATION_SEQUENCE_OFFSET,
            (tailStamp + WindowTinyLfuPolicy.STAMP_RENUMBER_SPAN - 1) & WindowTinyLfuDescriptor.STAMP_MASK);
        assertTrue(policy.lists.count(probation) > 1, "probation holds " + policy.lists.count(probation));
        for (int k = 1000; k < 1100; k++)
        {
            getOrPut(store, k);
            store.verify();
        }
        for (int entry = policy.lists.tail(probation); EntryDescriptor.NULL_INDEX != entry;
            entry = policy.lists.prev(entry))
        {
            assertTrue((policy.lists.policyWord(entry) >>> WindowTinyLfuDescriptor.STAMP_SHIFT) < 1000,
                "probation was not renumbered: entry " + entry + " has stamp " +
                (policy.lists.policyWord(entry) >>> WindowTinyLfuDescriptor.STAMP_SHIFT));
        }
    }

    @Test
    void shouldStampProbationOfAStoreWrittenWithoutStamps()
    {
        final File dir = new File(tempDir, "unstamped");
        final FerriteStore store = FerriteStore.open(new StoreContext().dir(dir).capacityBytes(1 << 20)
            .maxEntries(100).clock(clock).policy(EvictionPolicyType.WINDOW_TINY_LFU));
        final WindowTinyLfuPolicy policy = (WindowTinyLfuPolicy)store.policy();
        for (int k = 0; k < 300; k++)
        {
            getOrPut(store, k % 130);
        }
        StoreProbe.applyBufferedHits(store);
        final long probation = policy.list(WindowTinyLfuDescriptor.PROBATION);
        assertTrue(policy.lists.count(probation) > 2, "probation holds " + policy.lists.count(probation));
        for (int entry = policy.lists.head(probation); EntryDescriptor.NULL_INDEX != entry;
            entry = policy.lists.next(entry))
        {
            policy.lists.policyWord(entry, WindowTinyLfuDescriptor.PROBATION);
        }
        policy.memory.putInt(policy.region + WindowTinyLfuDescriptor.PROBATION_SEQUENCE_OFFSET, 0);
        assertThrows(IllegalStateException.class, store::verify, "unstamped probation should fail the order check");
        store.close();

        final FerriteStore reopened = open(new StoreContext().dir(dir).capacityBytes(1 << 20).maxEntries(100));
        reopened.verify();
        final WindowTinyLfuPolicy adopted = (WindowTinyLfuPolicy)reopened.policy();
        assertEquals(adopted.lists.count(probation), adopted.lists.policyWord(adopted.lists.head(probation)) >>>
            WindowTinyLfuDescriptor.STAMP_SHIFT, "probation stamped 1..n from its tail");
        for (int k = 0; k < 300; k++)
        {
            getOrPut(reopened, k % 170);
        }
        reopened.verify();
    }

    @Test
    void shouldRebuildPolicyListsAfterACrash()
    {
        final File dir = new File(tempDir, "crashed");
        final FerriteStore store = open(new StoreContext().dir(dir).capacityBytes(1 << 20).maxEntries(100));
        for (int k = 0; k < 300; k++)
        {
            getOrPut(store, k % 150);
        }
        store.header().putInt(StoreDescriptor.STATE_OFFSET, StoreDescriptor.STATE_OPEN);
        StoreRecovery.rebuild(store);
        store.verify();
        for (int k = 0; k < 1000; k++)
        {
            getOrPut(store, k % 170);
        }
        store.verify();
    }

    @Test
    void shouldNotAllocateOnGetAndPut()
    {
        final FerriteStore store = open(new StoreContext().capacityBytes(4 << 20).maxEntries(500));
        final UnsafeBuffer key = new UnsafeBuffer(new byte[8]);
        final UnsafeBuffer value = new UnsafeBuffer(new byte[16]);
        final UnsafeBuffer dst = new UnsafeBuffer(new byte[16]);
        final int[] keys = new int[50_000];
        final Random random = new Random(11);
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = skewed(random);
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (final int k : keys)
            {
                key.putLong(0, k);
                if (FerriteStore.NOT_FOUND == store.get(key, 0, 8, dst, 0))
                {
                    store.put(key, 0, 8, value, 0, 16, 0, FerriteStore.PUT);
                }
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertTrue(store.stats().evictions() > 0, "expected evictions: " + store.stats());
        assertTrue(allocated < 1024, "get/put allocated " + allocated + " bytes over " + keys.length + " requests");
    }

    private static int skewed(final Random random)
    {
        final double u = random.nextDouble();
        return (int)(2000 * u * u * u);
    }

    private static boolean getOrPut(final FerriteStore store, final String k)
    {
        final byte[] key = StoreProbe.bytes(k);
        if (null != store.get(key))
        {
            return true;
        }
        store.put(key, StoreProbe.bytes(k));
        return false;
    }

    private static boolean getOrPut(final FerriteStore store, final int k)
    {
        if (null != store.get(key(k)))
        {
            return true;
        }
        store.put(key(k), value(k, 0, 16));
        return false;
    }
}
