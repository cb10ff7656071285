package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;

/**
 * Test-only views into a store's internals: which entry holds a key, and the keys of a policy list in order.
 */
final class StoreProbe
{
    private StoreProbe()
    {
    }

    static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The entry index holding {@code key} (expired or not), or {@link EntryDescriptor#NULL_INDEX}.
     */
    static int entryOf(final FerriteStore store, final String key)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes(key));
        final int hash = Hashing.hash(buffer, 0, buffer.capacity(), store.hashSeed());
        return store.lookup(buffer, 0, buffer.capacity(), hash);
    }

    /**
     * Apply the hits the store has buffered for its policy ({@link AccessBuffer}); a test that reads policy state
     * through a reference it kept, rather than through {@link FerriteStore#policy()}, calls this first.
     */
    static void applyBufferedHits(final FerriteStore store)
    {
        store.policy();
    }

    static String keyOf(final FerriteStore store, final int entry)
    {
        final long block = store.blockAddress(entry);
        final UnsafeBuffer buffer = store.dataMemory().buffer(block);
        final int offset = MappedMemory.offset(block);
        final int keyLength = BlockDescriptor.keyLength(buffer, offset);
        final byte[] key = new byte[keyLength];
        buffer.getBytes(BlockDescriptor.keyOffset(buffer, offset), key);
        return new String(key, StandardCharsets.UTF_8);
    }

    /**
     * Keys on policy list {@code list}, least recently linked (the tail, next victim) first.
     */
    static List<String> keysEldestFirst(final FerriteStore store, final int list)
    {
        final EntryLists lists = store.lists();
        final long address = store.policy().list(list);
        final List<String> keys = new ArrayList<>();
        for (int entry = lists.tail(address); NULL_INDEX != entry; entry = lists.prev(entry))
        {
            keys.add(keyOf(store, entry));
            if (keys.size() > store.maxEntries())
            {
                throw new IllegalStateException("list " + list + " has a cycle: " + keys);
            }
        }
        return keys;
    }

    /**
     * The key the policy would evict next, or null.
     */
    static String victimKey(final FerriteStore store)
    {
        final int victim = store.policy().victim();
        return NULL_INDEX == victim ? null : keyOf(store, victim);
    }
}
