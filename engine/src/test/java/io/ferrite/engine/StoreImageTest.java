package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A store rebuilt from another's image (as a replica restored from a snapshot is) behaves exactly like it from then
 * on: same hits, same evictions, same answers to conditional writes, for every policy.
 */
class StoreImageTest
{
    @Test
    void shouldBehaveIdenticallyAfterCopyingTheImageForEveryPolicy()
    {
        for (final EvictionPolicyType policy : EvictionPolicyType.values())
        {
            final MutableClock clock = new MutableClock(1_000_000);
            try (FerriteStore source = open(policy, clock); FerriteStore copy = open(policy, clock))
            {
                final Random random = new Random(7);
                for (int i = 0; i < 5_000; i++)
                {
                    step(source, random, i);
                }
                copyImage(source, copy);
                copy.verify();
                assertEquals(source.size(), copy.size(), policy + ": size after the copy");
                final Random a = new Random(11);
                final Random b = new Random(11);
                for (int i = 0; i < 20_000; i++)
                {
                    if (i % 1000 == 0)
                    {
                        clock.advance(37);
                    }
                    assertEquals(step(source, a, 5_000 + i), step(copy, b, 5_000 + i),
                        policy + ": step " + i + " answered differently after the image copy");
                }
                assertEquals(source.stats(), copy.stats(), policy + ": counters diverged");
                copy.verify();
            }
        }
    }

    @Test
    void shouldCarryEveryCountedHitMissAndPutInTheImageAndDropTheTargetsOwn()
    {
        final MutableClock clock = new MutableClock(1);
        try (FerriteStore source = open(EvictionPolicyType.LRU, clock);
            FerriteStore target = open(EvictionPolicyType.LRU, clock))
        {
            // Fewer than the 64 reads after which the store adds its counts to the header by itself.
            source.put(bytes("a"), bytes("1"));
            source.put(bytes("b"), bytes("2"));
            source.get(bytes("a"));
            source.get(bytes("a"));
            source.get(bytes("c"));
            target.put(bytes("x"), bytes("9"));
            target.get(bytes("x"));
            target.get(bytes("y"));
            copyImage(source, target);
            final StoreStats stats = target.stats();
            assertEquals(2, stats.puts(), "puts counted before the image was read: " + stats);
            assertEquals(2, stats.hits(), "hits counted before the image was read: " + stats);
            assertEquals(1, stats.misses(), "misses counted before the image was read: " + stats);
            assertEquals(source.stats(), stats, "the target's own counts before the image must be gone");
        }
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldRefuseAnImageOfAnotherGeometry()
    {
        final MutableClock clock = new MutableClock(1);
        try (FerriteStore small = open(EvictionPolicyType.LRU, clock);
            FerriteStore other = FerriteStore.open(new StoreContext().capacityBytes(2L << 20).maxEntries(300)
                .policy(EvictionPolicyType.LRU).clock(clock)))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
            small.readImage(0, buffer, 0, 4096);
            other.writeImage(0, buffer, 0, 4096);
            assertThrows(StoreCorruptedException.class, other::imageRestored,
                "an image of a store with other geometry must be refused");
        }
    }

    private static FerriteStore open(final EvictionPolicyType policy, final MutableClock clock)
    {
        return FerriteStore.open(new StoreContext()
            .capacityBytes(1L << 20).maxEntries(200).policy(policy).agingPeriod(500).clock(clock));
    }

    private static void copyImage(final FerriteStore source, final FerriteStore target)
    {
        final UnsafeBuffer chunk = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
        target.clearImage();
        for (long position = 0; position < source.imageLength(); position += chunk.capacity())
        {
            final int length = (int)Math.min(chunk.capacity(), source.imageLength() - position);
            source.readImage(position, chunk, 0, length);
            target.writeImage(position, chunk, 0, length);
        }
        target.imageRestored();
    }

    /**
     * One random operation; returns a string describing its outcome.
     */
    private static String step(final FerriteStore store, final Random random, final int i)
    {
        final byte[] key = ("k" + random.nextInt(400)).getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer keyBuffer = new UnsafeBuffer(key);
        final byte[] value = ("v" + i + "-" + "x".repeat(random.nextInt(200))).getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer valueBuffer = new UnsafeBuffer(value);
        switch (random.nextInt(5))
        {
            case 0:
            case 1:
                final byte[] got = store.get(key);
                return "get=" + (null == got ? null : new String(got, StandardCharsets.US_ASCII));
            case 2:
                return "putIfAbsent=" + store.put(keyBuffer, 0, key.length, valueBuffer, 0, value.length,
                    random.nextInt(3) == 0 ? 500 : 0, FerriteStore.PUT_IF_ABSENT);
            case 3:
                return "put=" + store.put(keyBuffer, 0, key.length, valueBuffer, 0, value.length, 0, FerriteStore.PUT);
            default:
                return "delete=" + store.delete(key);
        }
    }

    @Test
    void shouldCopyValuesExactly()
    {
        final MutableClock clock = new MutableClock(1);
        try (FerriteStore source = open(EvictionPolicyType.WINDOW_TINY_LFU, clock);
            FerriteStore copy = open(EvictionPolicyType.WINDOW_TINY_LFU, clock))
        {
            source.put("a".getBytes(StandardCharsets.US_ASCII), "alpha".getBytes(StandardCharsets.US_ASCII));
            copyImage(source, copy);
            assertArrayEquals("alpha".getBytes(StandardCharsets.US_ASCII),
                copy.get("a".getBytes(StandardCharsets.US_ASCII)));
        }
    }
}
