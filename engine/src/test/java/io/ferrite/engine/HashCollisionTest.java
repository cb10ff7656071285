package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.ferrite.engine.StoreProbe.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Distinct keys with the same 32-bit hash (found by a birthday search) must stay distinct: in lookups, in
 * backward-shift deletion and in a rebuild, which rejects a record whose key an earlier record holds.
 */
@Timeout(60)
class HashCollisionTest
{
    private static final int PAIRS = 3;

    @TempDir
    File tempDir;

    /**
     * Pairs of keys {@code "c<n>"} whose hashes under {@code seed} are equal.
     */
    private static List<String[]> collidingPairs(final int seed, final int pairs)
    {
        final Map<Integer, String> byHash = new HashMap<>();
        final List<String[]> found = new ArrayList<>();
        for (int n = 0; found.size() < pairs; n++)
        {
            final String key = "c" + n;
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes(key));
            final String previous = byHash.putIfAbsent(Hashing.hash(buffer, 0, buffer.capacity(), seed), key);
            if (null != previous)
            {
                found.add(new String[]{ previous, key });
            }
        }
        return found;
    }

    @Test
    void shouldKeepKeysWithEqualHashesApartThroughPutGetDeleteAndRebuild() throws IOException
    {
        final File dir = new File(tempDir, "store");
        final List<String[]> pairs;
        try (FerriteStore store = FerriteStore.open(new StoreContext().dir(dir).capacityBytes(1 << 20)
            .maxEntries(64).clock(new MutableClock(1_000))))
        {
            pairs = collidingPairs(store.hashSeed(), PAIRS);
            for (int i = 0; i < 40; i++)
            {
                store.put(bytes("filler-" + i), bytes("f" + i));
            }
            for (final String[] pair : pairs)
            {
                store.put(bytes(pair[0]), bytes("value of " + pair[0]));
                store.put(bytes(pair[1]), bytes("value of " + pair[1]));
            }
            store.verify();
            for (final String[] pair : pairs)
            {
                for (final String key : pair)
                {
                    assertArrayEquals(bytes("value of " + key), store.get(bytes(key)),
                        key + " shares its hash with another key but must keep its own value");
                }
            }
            assertTrue(store.delete(bytes(pairs.get(0)[0])), "delete the first of a colliding pair");
            store.verify();
            assertNull(store.get(bytes(pairs.get(0)[0])), "the deleted key of the pair is gone");
            assertArrayEquals(bytes("value of " + pairs.get(0)[1]), store.get(bytes(pairs.get(0)[1])),
                "deleting one key of a colliding pair must not lose the other");
            store.put(bytes(pairs.get(1)[1]), bytes("updated"));
            assertArrayEquals(bytes("value of " + pairs.get(1)[0]), store.get(bytes(pairs.get(1)[0])),
                "updating one key of a colliding pair must not touch the other");
        }

        try (RandomAccessFile meta = new RandomAccessFile(new File(dir, FerriteStore.META_FILE), "rw"))
        {
            final ByteBuffer state = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            state.putInt(0, StoreDescriptor.STATE_OPEN);
            meta.getChannel().write(state, StoreDescriptor.STATE_OFFSET);
        }
        try (FerriteStore store = FerriteStore.open(new StoreContext().dir(dir).recoveryMode(RecoveryMode.REBUILD)
            .clock(new MutableClock(1_000))))
        {
            store.verify();
            assertEquals(40 + 2 * PAIRS - 1, store.size(), "a rebuild keeps every key of every colliding pair");
            assertArrayEquals(bytes("value of " + pairs.get(0)[1]), store.get(bytes(pairs.get(0)[1])));
            assertArrayEquals(bytes("updated"), store.get(bytes(pairs.get(1)[1])));
            assertArrayEquals(bytes("value of " + pairs.get(2)[0]), store.get(bytes(pairs.get(2)[0])));
            assertArrayEquals(bytes("value of " + pairs.get(2)[1]), store.get(bytes(pairs.get(2)[1])));
        }
    }
}
