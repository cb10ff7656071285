package io.ferrite.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class MovingPartitionTest
{
    private static final MovingPartition.SizeOf TEN_BYTES = key -> 10;

    @Test
    void shouldHandOutQueuedKeysInOrderAndKeepTheBatchUntilTheNextIsAsked()
    {
        final MovingPartition moving = new MovingPartition();
        for (int i = 0; i < 5; i++)
        {
            moving.queue(key("k" + i), i);
        }
        moving.takeBatch(1, 2, Long.MAX_VALUE, TEN_BYTES);
        assertEquals(2, moving.batchSize());
        assertEquals("k0", text(moving.batchKey(0)));
        assertEquals(1, moving.batchExpiry(1));
        assertEquals(3, moving.queuedCount());
        moving.takeBatch(2, 10, 25, TEN_BYTES);
        assertEquals(3, moving.batchSize(), "a batch stops once it reaches its byte budget");
        assertEquals(0, moving.queuedCount());
    }

    @Test
    void shouldQueueAKeyAgainWhenWrittenAfterItWasHandedOut()
    {
        final MovingPartition moving = new MovingPartition();
        moving.queue(key("a"), 0);
        moving.queue(key("b"), 0);
        moving.takeBatch(1, 1, Long.MAX_VALUE, TEN_BYTES);
        moving.queue(key("a"), 99);
        moving.queue(key("b"), 7);
        assertEquals(2, moving.queuedCount(), "b keeps its one place, a is queued again");
        moving.takeBatch(2, 10, Long.MAX_VALUE, TEN_BYTES);
        assertEquals("b", text(moving.batchKey(0)), "order of first queuing is kept");
        assertEquals(7, moving.batchExpiry(0), "the latest expiry wins");
        assertEquals("a", text(moving.batchKey(1)));
        assertEquals(99, moving.batchExpiry(1));
    }

    private static KeyBytes key(final String s)
    {
        return new KeyBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(final KeyBytes key)
    {
        return new String(key.bytes(), StandardCharsets.UTF_8);
    }
}
