package io.ferrite.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import static io.ferrite.engine.StoreProbe.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every block carries a checksum: a flipped byte in a stored value is reported by {@link FerriteStore#verify()} and
 * its entry is dropped, never served, when a store that was not closed cleanly is rebuilt.
 */
class BlockChecksumTest
{
    private static final int KEYS = 200;
    private static final int DAMAGED = 77;

    @TempDir
    File tempDir;

    @Test
    @Timeout(30)
    void shouldDetectAFlippedValueByteAndDropOnlyThatEntryOnRebuild() throws IOException
    {
        final File dir = new File(tempDir, "store");
        try (FerriteStore store = FerriteStore.open(context(dir)))
        {
            for (int i = 0; i < KEYS; i++)
            {
                store.put(bytes("key-" + i), value(i), i % 3 == 0 ? 3_600_000 : 0);
            }
            store.verify();
        }

        final File data = new File(dir, FerriteStore.DATA_FILE);
        final byte[] contents = Files.readAllBytes(data.toPath());
        final int at = indexOf(contents, value(DAMAGED));
        assertTrue(at >= 0, "the value of key-" + DAMAGED + " is somewhere in the data file");
        try (RandomAccessFile file = new RandomAccessFile(data, "rw"))
        {
            file.seek(at + 5);
            file.write(contents[at + 5] ^ 0x10);
        }

        try (FerriteStore store = FerriteStore.open(context(dir)))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class, store::verify,
                "verify must notice a value byte that changed on disk");
            assertTrue(ex.getMessage().contains("checksum"), ex.getMessage());
            store.header().putInt(StoreDescriptor.STATE_OFFSET, StoreDescriptor.STATE_OPEN);
        }
        markOpen(dir);

        try (FerriteStore store = FerriteStore.open(context(dir).recoveryMode(RecoveryMode.REBUILD)))
        {
            store.verify();
            assertEquals(KEYS - 1, store.size(), "the rebuild drops exactly the damaged entry");
            assertNull(store.get(bytes("key-" + DAMAGED)), "a damaged value is never served");
            for (int i = 0; i < KEYS; i++)
            {
                if (DAMAGED != i)
                {
                    assertArrayEquals(value(i), store.get(bytes("key-" + i)), "key-" + i + " survives intact");
                }
            }
        }
    }

    private static StoreContext context(final File dir)
    {
        return new StoreContext().dir(dir).capacityBytes(1 << 20).maxEntries(1000).policy(EvictionPolicyType.LRU)
            .clock(new MutableClock(1_000));
    }

    private static byte[] value(final int i)
    {
        return ("value of key " + i + " / " + "x".repeat(i % 50) + " / end " + i).getBytes(StandardCharsets.UTF_8);
    }

    private static void markOpen(final File dir) throws IOException
    {
        try (RandomAccessFile meta = new RandomAccessFile(new File(dir, FerriteStore.META_FILE), "rw"))
        {
            final ByteBuffer state = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            state.putInt(0, StoreDescriptor.STATE_OPEN);
            meta.getChannel().write(state, StoreDescriptor.STATE_OFFSET);
        }
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
