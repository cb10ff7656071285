package io.ferrite.replication;

import io.ferrite.client.FerriteClient;
import io.ferrite.client.WriteCondition;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replicated path of the client allocates nothing per request on the zero-copy API: requests are encoded into
 * the ingress term with {@code tryClaim} from the caller's buffers (kept by reference for a resend, never copied),
 * pending requests are pooled, waiting parks without an idle-strategy object, answers are copied into the caller's
 * buffer. Measured as the node client's test does: ThreadMXBean allocated bytes of the calling thread (which drives
 * the client's driver, Aeron client and egress while it waits) and of the client's background poller, around N
 * requests after a warm-up.
 */
@Timeout(120)
class GroupClientAllocationTest
{
    private static final int WARM_UP = 3_000;
    private static final int OPS = 2_000;
    private static final long BOUND_BYTES = 16 * 1024;

    @TempDir
    File tempDir;

    @Test
    void shouldServeZeroCopyCallsThroughAGroupWithoutAllocating()
    {
        try (TestGroup group = new TestGroup(tempDir, 19500, (ctx) -> { }))
        {
            final FerriteClient client = group.connect();
            final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
            final UnsafeBuffer expected = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
            final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
            final int keyLength = key.putStringWithoutLengthAscii(0, "zero-copy-group-key");
            value.setMemory(0, 100, (byte)7);
            expected.setMemory(0, 100, (byte)7);

            assertEquals(FerriteClient.NOT_FOUND, client.get(key, 0, keyLength, dst, 0));
            assertTrue(client.put(key, 0, keyLength, value, 0, 100, Duration.ZERO, WriteCondition.ALWAYS));
            assertFalse(client.put(key, 0, keyLength, value, 0, 100, Duration.ZERO, WriteCondition.IF_ABSENT));
            assertTrue(client.compareAndSet(key, 0, keyLength, expected, 0, 100, value, 0, 100));
            assertEquals(100, client.get(key, 0, keyLength, dst, 0));
            assertEquals(7, dst.getByte(99));

            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long caller = Thread.currentThread().getId();
            final List<Long> pollers = pollerThreads();
            assertFalse(pollers.isEmpty(), "the client's background poller runs");

            run(client, key, keyLength, value, dst, WARM_UP);
            final long callerBefore = threads.getThreadAllocatedBytes(caller);
            final long pollerBefore = allocated(threads, pollers);
            run(client, key, keyLength, value, dst, OPS);
            final long callerAllocated = threads.getThreadAllocatedBytes(caller) - callerBefore;
            final long pollerAllocated = allocated(threads, pollers) - pollerBefore;

            System.out.printf("group zero-copy: caller %d bytes, poller %d bytes over %d requests%n",
                callerAllocated, pollerAllocated, 2 * OPS);
            assertTrue(callerAllocated < BOUND_BYTES,
                "zero-copy calls through a group allocated " + callerAllocated + " bytes for " + 2 * OPS + " requests");
            assertTrue(pollerAllocated < BOUND_BYTES,
                "the client's poller allocated " + pollerAllocated + " bytes during " + 2 * OPS + " requests");
            assertTrue(client.delete(key, 0, keyLength));
            assertTrue(group.errors.isEmpty(), () -> "errors: " + group.errors);
        }
    }

    private static void run(
        final FerriteClient client,
        final UnsafeBuffer key,
        final int keyLength,
        final UnsafeBuffer value,
        final UnsafeBuffer dst,
        final int count)
    {
        for (int i = 0; i < count; i++)
        {
            value.putInt(0, i);
            client.put(key, 0, keyLength, value, 0, 100);
            if (100 != client.get(key, 0, keyLength, dst, 0) || dst.getInt(0) != i)
            {
                throw new AssertionError("read " + dst.getInt(0) + " after writing " + i);
            }
        }
    }

    private static List<Long> pollerThreads()
    {
        final List<Long> ids = new ArrayList<>();
        for (final Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet())
        {
            if ("ferrite-client".equals(entry.getKey().getName()))
            {
                ids.add(entry.getKey().getId());
            }
        }
        return ids;
    }

    private static long allocated(final com.sun.management.ThreadMXBean threads, final List<Long> ids)
    {
        long total = 0;
        for (final long id : ids)
        {
            total += threads.getThreadAllocatedBytes(id);
        }
        return total;
    }
}
