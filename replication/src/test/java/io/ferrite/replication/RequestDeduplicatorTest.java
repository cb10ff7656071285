package io.ferrite.replication;

import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.SnapshotClientWindowDecoder;
import io.ferrite.codec.sbe.SnapshotClientWindowEncoder;
import org.agrona.ExpandableDirectByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The deduplication table is bounded, forgets the least recently used client first without scanning or allocating,
 * and comes back from a snapshot with the same eviction order.
 */
@Timeout(30)
class RequestDeduplicatorTest
{
    private static final LongPredicate ALL_OPEN = (sessionId) -> true;

    @Test
    void shouldStayWithinTheDefaultBoundAndForgetTheLeastRecentlyUsed()
    {
        final RequestDeduplicator deduplicator = new RequestDeduplicator(ReplicationConfiguration.dedupMaxClients());
        final int max = ReplicationConfiguration.DEDUP_MAX_CLIENTS_DEFAULT;
        assertTrue((long)max * RequestDeduplicator.BYTES_PER_CLIENT <= 16L * 1024 * 1024,
            "the default bound must keep a group's table within 16 MiB of heap");
        for (long client = 1; client <= max + 1000; client++)
        {
            assertTrue(deduplicator.claim(client, client, ALL_OPEN));
            deduplicator.record(client, 1, 7);
            if (client > 1 && 0 == client % 100)
            {
                deduplicator.record(1, client, 7);
            }
        }
        assertEquals(max, deduplicator.clientCount(), "the table must not grow beyond its bound");
        assertEquals(7, deduplicator.resultOf(1, 1), "a client in regular use must not be forgotten");
        assertEquals(RequestDeduplicator.UNKNOWN, deduplicator.resultOf(2, 1), "the least recently used goes first");
        assertEquals(7, deduplicator.resultOf(max + 1000, 1));
    }

    @Test
    void shouldEvictWithoutAllocatingOnceFull()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation counting not supported");
        final RequestDeduplicator deduplicator = new RequestDeduplicator(1000);
        long client = 0;
        for (; client < 20_000; client++)
        {
            deduplicator.claim(client, 1, ALL_OPEN);
            deduplicator.record(client, client, 0);
        }
        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (final long end = client + 100_000; client < end; client++)
        {
            deduplicator.claim(client, 1, ALL_OPEN);
            deduplicator.record(client, client, 0);
        }
        final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertEquals(1000, deduplicator.clientCount());
        assertTrue(allocated < 4096, "100,000 new clients (each evicting one) allocated " + allocated + " bytes");
    }

    @Test
    void shouldRestoreTheSameEvictionOrderFromASnapshot()
    {
        final RequestDeduplicator original = new RequestDeduplicator(50);
        for (long client = 1; client <= 50; client++)
        {
            original.claim(client, 100 + client, ALL_OPEN);
            original.record(client, 1, (int)client);
        }
        for (long client = 50; client >= 1; client -= 3)
        {
            original.record(client, 2, 0);
        }

        final RequestDeduplicator restored = new RequestDeduplicator(50);
        restored.sequence(original.sequence());
        final List<RequestDeduplicator.ClientWindow> windows = original.windows();
        for (int i = windows.size() - 1; i >= 0; i--)
        {
            final RequestDeduplicator.ClientWindow window = windows.get(i);
            final RequestDeduplicator.ClientWindow copy =
                restored.restore(window.clientId, window.ownerSessionId, window.lastSequence);
            for (int j = 0; j < window.count; j++)
            {
                copy.record(window.correlationIds[j], window.results[j]);
            }
        }
        restored.restored();

        for (long client = 1000; client < 1030; client++)
        {
            original.claim(client, 1, ALL_OPEN);
            restored.claim(client, 1, ALL_OPEN);
        }
        for (long client = 1; client <= 50; client++)
        {
            assertEquals(original.resultOf(client, 1), restored.resultOf(client, 1), "client " + client);
        }
        assertFalse(restored.claim(49, 1, ALL_OPEN), "the owner session must survive the snapshot");
    }

    @Test
    void shouldReportExactlyTheOutcomesThatLeftTheWindowAsForgotten()
    {
        final RequestDeduplicator deduplicator = new RequestDeduplicator(4);
        assertTrue(deduplicator.claim(9, 1, ALL_OPEN));
        // 300 applied first (a later request that overtook the others), then 1..299 but 100, 301..
        deduplicator.record(9, 300, 0);
        long applied = 1;
        for (long id = 1; applied < RequestDeduplicator.WINDOW + 1; id++)
        {
            if (100 != id && 300 != id)
            {
                deduplicator.record(9, id, 0);
                applied++;
            }
        }
        assertEquals(RequestDeduplicator.FORGOTTEN, deduplicator.resultOf(9, 300), "pushed out by later outcomes");
        assertEquals(0, deduplicator.resultOf(9, 1), "still in the window");
        assertEquals(RequestDeduplicator.FORGOTTEN, deduplicator.resultOf(9, 100),
            "below the highest forgotten id and not held: may have been applied");
        assertEquals(RequestDeduplicator.UNKNOWN, deduplicator.resultOf(9, 301), "above it: never applied");
        assertEquals(RequestDeduplicator.UNKNOWN, deduplicator.resultOf(10, 1), "another client");
    }

    @Test
    void shouldKeepTheForgottenMarkThroughASnapshotAndAnImport()
    {
        final RequestDeduplicator original = new RequestDeduplicator(4);
        original.claim(9, 1, ALL_OPEN);
        for (long id = 1; id <= RequestDeduplicator.WINDOW + 5; id++)
        {
            original.record(9, id, 0);
        }
        final RequestDeduplicator.ClientWindow window = original.windows().get(0);
        assertEquals(5, window.forgottenUpTo);

        final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(8192);
        StoreSnapshot.encodeWindow(window, new SnapshotClientWindowEncoder(), new MessageHeaderEncoder(), buffer);
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        final SnapshotClientWindowDecoder decoder = new SnapshotClientWindowDecoder().wrap(
            buffer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        final RequestDeduplicator restored = new RequestDeduplicator(4);
        StoreSnapshot.restoreWindow(decoder, restored);
        restored.restored();
        assertEquals(RequestDeduplicator.FORGOTTEN, restored.resultOf(9, 5));
        assertEquals(0, restored.resultOf(9, 6));
        assertEquals(RequestDeduplicator.UNKNOWN, restored.resultOf(9, RequestDeduplicator.WINDOW + 6));

        final RequestDeduplicator target = new RequestDeduplicator(4);
        final long[] ids = new long[RequestDeduplicator.WINDOW];
        final int[] results = new int[RequestDeduplicator.WINDOW];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = 1000 + i;
        }
        target.importOutcomes(9, ids, results, ids.length, 0);
        target.importOutcomes(9, new long[]{ 2000, 2001 }, new int[2], 2, 0);
        assertEquals(RequestDeduplicator.FORGOTTEN, target.resultOf(9, 1001), "dropped by the merge");
        assertEquals(0, target.resultOf(9, 1002));
    }

    @Test
    void shouldHandTheForgottenMarkToTheTargetOfAMove()
    {
        final int partition = 7;
        final RequestDeduplicator source = new RequestDeduplicator(4);
        source.claim(9, 1, ALL_OPEN);
        source.claim(10, 2, ALL_OPEN);
        // client 9: its write 3 (partition 7) is applied, then 255 writes of another partition and one more of this
        // one push it out
        source.record(9, 3, 0, partition);
        for (long id = 4; id < 4 + RequestDeduplicator.WINDOW - 1; id++)
        {
            source.record(9, id, 0, partition + 1);
        }
        source.record(9, 500, 1, partition);
        // client 10: nothing forgotten, one outcome of the partition
        source.record(10, 1, 0, partition);
        assertEquals(RequestDeduplicator.FORGOTTEN, source.resultOf(9, 3));

        final List<long[]> exported = new ArrayList<>();
        assertEquals(Long.MIN_VALUE, source.exportPage(partition, Long.MIN_VALUE, 1000,
            (clientId, correlationId, result) -> exported.add(new long[]{ clientId, correlationId, result })));
        assertEquals(3, exported.size(), "client 9's mark and outcome, client 10's outcome: " + exported.size());
        assertEquals(RequestDeduplicator.FORGOTTEN_MARK, exported.get(0)[2], "the mark goes first, as the oldest");
        assertEquals(3, exported.get(0)[1]);

        final RequestDeduplicator target = new RequestDeduplicator(4);
        for (final long clientId : new long[]{ 9, 10 })
        {
            final List<long[]> run = exported.stream().filter((e) -> e[0] == clientId).toList();
            final long[] ids = run.stream().mapToLong((e) -> e[1]).toArray();
            final int[] results = run.stream().mapToInt((e) -> (int)e[2]).toArray();
            target.importOutcomes(clientId, ids, results, ids.length, partition);
            target.importOutcomes(clientId, ids, results, ids.length, partition);
        }
        // before the mark was handed over, the target found nothing for 3 and applied the resend a second time
        assertEquals(RequestDeduplicator.FORGOTTEN, target.resultOf(9, 3),
            "a resend of a write the source applied and forgot must be refused by the new owner");
        assertEquals(1, target.resultOf(9, 500), "the handed-over outcome answers its resend");
        assertEquals(RequestDeduplicator.UNKNOWN, target.resultOf(9, 501), "above the mark: never applied");
        assertEquals(0, target.resultOf(10, 1));
        assertEquals(RequestDeduplicator.UNKNOWN, target.resultOf(10, 0), "client 10 forgot nothing");
    }

    @Test
    void shouldBindAnIdToItsSessionUntilThatSessionCloses()
    {
        final RequestDeduplicator deduplicator = new RequestDeduplicator(10);
        assertTrue(deduplicator.claim(5, 1, ALL_OPEN));
        assertFalse(deduplicator.claim(5, 2, ALL_OPEN), "another open session must be refused");
        assertTrue(deduplicator.claim(5, 2, (sessionId) -> sessionId != 1), "taken over once the owner closed");
        assertFalse(deduplicator.claim(5, 1, ALL_OPEN), "the new owner keeps it");
    }
}
