package io.ferrite.replication;

import io.ferrite.codec.PartitionHash;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.StoreContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source's key scan of a moving partition, a slice at a time with writes in between (as the guard queues
 * them): every key the partition holds when the scan is finished is handed to the copier, and no step examines
 * more than its slice.
 */
@Timeout(30)
class PartitionKeyScanTest
{
    private static final int PARTITIONS = 16;
    private static final int P = 3;
    private static final MovingPartition.SizeOf TEN_BYTES = key -> 10;

    @Test
    void shouldExamineAtMostOneSlicePerStep()
    {
        try (FerriteStore store = open())
        {
            fill(store, 5000);
            final MovingPartition moving = new MovingPartition();
            moving.startScan();
            PartitionKeyScan.advance(store, PARTITIONS, P, moving, Integer.MAX_VALUE, 200);
            assertTrue(moving.isScanning(), "5,000 records are not scanned in a step of 200");
            assertEquals(200, moving.scanCursor(), "the step stops after its slice");
            assertEquals(moving.queuedCount() + 4800, PartitionKeyScan.remaining(store, moving),
                "remaining counts the queued keys and the records not yet examined");
            PartitionKeyScan.finish(store, PARTITIONS, P, moving);
            assertFalse(moving.isScanning());
            assertEquals(inPartition(store).size(), moving.queuedCount(), "finished: every key of the partition");
            assertEquals(moving.queuedCount(), PartitionKeyScan.remaining(store, moving));
        }
    }

    @Test
    void shouldHandOutEveryKeyThePartitionHoldsWhenWritesInterleaveWithTheScan()
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        System.out.println("PartitionKeyScanTest seed " + seed + " (-Dferrite.test.seed to replay)");
        final Random random = new Random(seed);
        try (FerriteStore store = open())
        {
            fill(store, 4000);
            final MovingPartition moving = new MovingPartition();
            moving.trackMembers();
            moving.startScan();
            final Set<String> handedOut = new HashSet<>();
            long sequence = 1;
            while (moving.isScanning() || moving.queuedCount() > 0)
            {
                PartitionKeyScan.advance(store, PARTITIONS, P, moving, 8, 1 + random.nextInt(300));
                moving.takeBatch(sequence++, 8, Long.MAX_VALUE, TEN_BYTES);
                for (int i = 0; i < moving.batchSize(); i++)
                {
                    handedOut.add(new String(moving.batchKey(i).bytes(), StandardCharsets.US_ASCII));
                }
                for (int w = random.nextInt(6); w > 0; w--)
                {
                    write(store, moving, random);
                }
            }
            final Set<String> held = inPartition(store);
            for (final String key : held)
            {
                assertTrue(handedOut.contains(key),
                    key + " is in the partition and was never handed out, seed " + seed);
            }
            for (final KeyBytes key : moving.members())
            {
                assertEquals(P, PartitionHash.partition(key.bytes(), PARTITIONS),
                    "members hold only the partition's keys");
            }
            assertTrue(held.stream().allMatch((k) -> moving.members().contains(new KeyBytes(bytes(k)))),
                "every key the partition holds is a member (the drop at release deletes by members), seed " + seed);
        }
    }

    /**
     * A put or delete of a random key, queued when it is the partition's, as {@link PartitionGuard} does.
     */
    private static void write(final FerriteStore store, final MovingPartition moving, final Random random)
    {
        final String key = "k" + random.nextInt(6000);
        if (random.nextInt(3) == 0)
        {
            store.delete(bytes(key));
        }
        else
        {
            store.put(bytes(key), bytes("w" + random.nextInt(100)));
        }
        if (PartitionHash.partition(bytes(key), PARTITIONS) == P)
        {
            moving.queue(new KeyBytes(bytes(key)), 0);
        }
    }

    private static FerriteStore open()
    {
        return FerriteStore.open(new StoreContext().capacityBytes(4L << 20).maxEntries(10_000));
    }

    private static void fill(final FerriteStore store, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            store.put(bytes("k" + i), bytes("v" + i));
        }
    }

    private static Set<String> inPartition(final FerriteStore store)
    {
        final Set<String> keys = new HashSet<>();
        store.forEach((buffer, keyOffset, keyLength, valueOffset, valueLength, expireAt) ->
        {
            if (PartitionHash.partition(buffer, keyOffset, keyLength, PARTITIONS) == P)
            {
                keys.add(buffer.getStringWithoutLengthAscii(keyOffset, keyLength));
            }
        });
        return keys;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
