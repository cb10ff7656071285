package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.ferrite.engine.StoreProbe.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A snapshot is the store's image at the snapshot point even while the store keeps changing (puts, deletes and
 * cleaner runs that free and reuse the segments being copied), and a damaged or cut snapshot file is refused.
 * Seed: {@code -Dferrite.test.seed}.
 */
class ImageSnapshotTest
{
    private static final long SEED = Long.getLong("ferrite.test.seed", System.nanoTime());
    private static final int KEYS = 3_000;

    @TempDir
    File tempDir;

    @Test
    @Timeout(60)
    void shouldWriteTheImageOfTheSnapshotPointWhileABackgroundWriterRacesTheStore() throws Exception
    {
        System.out.println("ImageSnapshotTest seed " + SEED);
        final Random random = new Random(SEED);
        final MutableClock clock = new MutableClock(1_000);
        final File file = new File(tempDir, "image");
        try (FerriteStore store = open(clock); FerriteStore restored = open(clock))
        {
            for (int i = 0; i < 20_000; i++)
            {
                step(store, random);
            }
            final long cleanedBefore = store.stats().cleanedSegments();
            final byte[] imageAtPoint = new byte[(int)store.imageLength()];
            store.readImage(0, new UnsafeBuffer(imageAtPoint), 0, imageAtPoint.length);
            final List<String> orderAtPoint = StoreProbe.keysEldestFirst(store, 0);
            final int[] usedAtPoint = new int[store.layout().segmentCount];
            for (int s = 0; s < usedAtPoint.length; s++)
            {
                usedAtPoint[s] = SegmentDescriptor.STATE_FREE == store.log().state(s) ? 0 : store.log().used(s);
            }

            final ImageSnapshot snapshot = store.snapshot();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean storeHasCleaned = new AtomicBoolean();
            final Thread writer = new Thread(() ->
            {
                try (ImageFile.Writer out = new ImageFile.Writer(snapshot, file))
                {
                    // Write the meta chunks, then let the store's cleaner reuse segments before copying them.
                    out.writeSome(2);
                    final long deadline = System.nanoTime() + 20_000_000_000L;
                    while (!storeHasCleaned.get())
                    {
                        if (System.nanoTime() > deadline)
                        {
                            throw new AssertionError("the store did not clean three segments within 20 s");
                        }
                        Thread.sleep(1);
                    }
                    while (!out.writeSome(1))
                    {
                        Thread.yield();
                    }
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            }, "image-writer");
            writer.start();
            int steps = 0;
            while (writer.isAlive() || steps < 5_000)
            {
                step(store, random);
                steps++;
                if (store.stats().cleanedSegments() >= cleanedBefore + 3)
                {
                    storeHasCleaned.set(true);
                }
                if (steps > 2_000_000)
                {
                    fail("the writer did not finish within " + steps + " store operations");
                }
            }
            writer.join();
            if (null != failure.get())
            {
                throw new AssertionError("writer failed", failure.get());
            }
            snapshot.close();
            assertTrue(snapshot.spilledSegments() > 0,
                "the cleaner must have reused segments the writer had not copied yet (copy-on-write exercised)");
            store.verify();

            final long loaded = ImageFile.load(file, restored);
            restored.verify();
            assertEquals(snapshot.entries(), loaded, "entries at the snapshot point");
            assertEquals(orderAtPoint, StoreProbe.keysEldestFirst(restored, 0), "LRU order at the snapshot point");
            final byte[] image = new byte[(int)restored.imageLength()];
            restored.readImage(0, new UnsafeBuffer(image), 0, image.length);
            final long metaLength = restored.layout().metaLength;
            final int segmentSize = restored.layout().segmentSize;
            for (int i = 0; i < metaLength; i++)
            {
                if (imageAtPoint[i] != image[i])
                {
                    fail("meta byte " + i + " differs from the store's at the snapshot point");
                }
            }
            for (int s = 0; s < usedAtPoint.length; s++)
            {
                final int base = (int)metaLength + s * segmentSize;
                for (int i = 0; i < usedAtPoint[s]; i++)
                {
                    if (imageAtPoint[base + i] != image[base + i])
                    {
                        fail("segment " + s + " byte " + i + " differs from the store's at the snapshot point");
                    }
                }
            }
        }
    }

    @Test
    @Timeout(30)
    void shouldRefuseADamagedOrCutSnapshotAndLeaveTheStoreEmptyAndUsable() throws IOException
    {
        final MutableClock clock = new MutableClock(1_000);
        final File file = new File(tempDir, "image");
        try (FerriteStore store = open(clock); FerriteStore target = open(clock))
        {
            for (int i = 0; i < 500; i++)
            {
                store.put(bytes("key-" + i), bytes("value-" + i));
            }
            try (ImageSnapshot snapshot = store.snapshot(); ImageFile.Writer out = new ImageFile.Writer(snapshot, file))
            {
                assertTrue(out.writeSome(Integer.MAX_VALUE), "one call writes everything");
            }
            assertEquals(500, ImageFile.load(file, target), "the intact file loads");
            target.verify();

            final long length = file.length();
            try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
            {
                final long at = length - ImageFile.END_LENGTH - 40;
                raf.seek(at);
                final int b = raf.read();
                raf.seek(at);
                raf.write(b ^ 0x01);
            }
            final StoreCorruptedException flipped = assertThrows(StoreCorruptedException.class,
                () -> ImageFile.load(file, target), "a flipped byte in a chunk must be refused");
            assertTrue(flipped.getMessage().contains("checksum"), flipped.getMessage());
            assertEmptyAndUsable(target);

            try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
            {
                raf.setLength(length - ImageFile.END_LENGTH - 100);
            }
            assertThrows(StoreCorruptedException.class, () -> ImageFile.load(file, target),
                "a snapshot cut short must be refused");
            assertEmptyAndUsable(target);
        }
    }

    private static void assertEmptyAndUsable(final FerriteStore store)
    {
        assertEquals(0, store.size(), "a refused image leaves the store empty");
        store.verify();
        assertNull(store.get(bytes("key-1")));
        store.put(bytes("after"), bytes("works"));
        assertArrayEquals(bytes("works"), store.get(bytes("after")));
        store.clear();
    }

    private static FerriteStore open(final MutableClock clock)
    {
        return FerriteStore.open(new StoreContext().capacityBytes(1 << 20).maxEntries(KEYS).segmentSize(16 * 1024)
            .policy(EvictionPolicyType.LRU).clock(clock));
    }

    private static void step(final FerriteStore store, final Random random)
    {
        final String key = "key-" + random.nextInt(KEYS);
        final int dice = random.nextInt(10);
        if (dice < 5)
        {
            final long ttl = random.nextInt(4) == 0 ? 60_000 : 0;
            store.put(bytes(key), bytes(key + "=" + "v".repeat(random.nextInt(200))), ttl);
        }
        else if (dice < 6)
        {
            store.delete(bytes(key));
        }
        else
        {
            store.get(bytes(key));
        }
    }
}
