package io.ferrite.replication;

import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.SnapshotClientWindowDecoder;
import io.ferrite.codec.sbe.SnapshotClientWindowEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The deduplication part of moving a partition: the source exports the outcomes of one partition (and those of
 * unknown partition), page by page, and the target imports them, so a resend reaching the target is answered with
 * the source's outcome; imports keep the bounds, never push out the target's newer outcomes for older ones, are
 * idempotent and deterministic; snapshots carry the partitions and a version 1 snapshot still loads.
 * Random runs print their seed; set {@code -Dferrite.test.seed=N} to repeat one.
 */
@Timeout(60)
class OutcomeHandoverTest
{
    private static final LongPredicate ALL_OPEN = (sessionId) -> true;

    record Outcome(long clientId, long correlationId, int result)
    {
    }

    @Test
    void shouldAnswerAResendAtTheTargetWithTheSourcesOutcomeOfTheMovedPartitionOnly()
    {
        final RequestDeduplicator source = new RequestDeduplicator(16);
        final RequestDeduplicator target = new RequestDeduplicator(16);
        source.claim(7, 1, ALL_OPEN);
        for (long id = 1; id <= 30; id++)
        {
            source.record(7, id, (int)(100 + id), (int)(id % 3));
        }
        source.record(7, 31, 131);

        final long imported = handOver(source, target, 2, 5);

        for (long id = 1; id <= 30; id++)
        {
            final int expected = 2 == id % 3 ? (int)(100 + id) : RequestDeduplicator.UNKNOWN;
            assertEquals(expected, target.resultOf(7, id), "outcome of write " + id + " (partition " + id % 3 + ")");
        }
        assertEquals(131, target.resultOf(7, 31), "an outcome of unknown partition goes with every move");
        assertEquals(11, imported, "ten outcomes of partition 2 and one of unknown partition");
        assertTrue(target.claim(7, 99, ALL_OPEN), "an imported window is owned by no session of the target");
    }

    @Test
    void shouldKeepTheTargetsNewerOutcomesAndDropTheOldestWhenAWindowOverflows()
    {
        final RequestDeduplicator source = new RequestDeduplicator(4);
        final RequestDeduplicator target = new RequestDeduplicator(4);
        source.claim(7, 1, ALL_OPEN);
        target.claim(7, 2, ALL_OPEN);
        for (long id = 1; id <= 100; id++)
        {
            source.record(7, id, 1, 5);
        }
        for (long id = 1000; id < 1200; id++)
        {
            target.record(7, id, 0, 1);
        }

        assertEquals(56, handOver(source, target, 5, 1000), "room for 56 of the 100 older outcomes");
        for (long id = 1000; id < 1200; id++)
        {
            assertEquals(0, target.resultOf(7, id), "the target's own newer outcome " + id + " must stay");
        }
        assertEquals(RequestDeduplicator.FORGOTTEN, target.resultOf(7, 44),
            "the oldest imported go first, and a resend of one is refused, not applied");
        for (long id = 45; id <= 100; id++)
        {
            assertEquals(1, target.resultOf(7, id), "imported outcome " + id);
        }
        assertEquals(RequestDeduplicator.WINDOW, windowOf(target, 7).count);

        // a full window of newer outcomes takes no older ones, and its own stay
        final RequestDeduplicator full = new RequestDeduplicator(4);
        full.claim(7, 2, ALL_OPEN);
        for (long id = 1000; id < 1000 + RequestDeduplicator.WINDOW; id++)
        {
            full.record(7, id, 0, 1);
        }
        assertEquals(0, handOver(source, full, 5, 1000));
        assertEquals(0, full.resultOf(7, 1000));

        // outcomes of a client's writes after (higher ids than) the target's push the target's oldest out
        target.record(7, 5000, 3, 1);
        assertEquals(RequestDeduplicator.FORGOTTEN, target.resultOf(7, 45), "the window stays a window of 256");
        assertEquals(3, target.resultOf(7, 5000));
    }

    @Test
    void shouldExportTheSamePagesWhateverTheirSizeAndImportDeterministicallyAndIdempotently()
    {
        final long seed = Long.getLong("ferrite.test.seed", System.nanoTime());
        System.out.println("OutcomeHandoverTest seed=" + seed + " (-Dferrite.test.seed=" + seed + " repeats it)");
        final Random random = new Random(seed);
        int repeated = 0;
        for (int run = 0; run < 40; run++)
        {
            final int partitions = 1 + random.nextInt(8);
            final int moved = random.nextInt(partitions);
            final RequestDeduplicator source = new RequestDeduplicator(4 + random.nextInt(40));
            final RequestDeduplicator target = new RequestDeduplicator(4 + random.nextInt(80));
            final RequestDeduplicator replica = new RequestDeduplicator(target.maxClients());
            final Map<Long, Long> nextId = new HashMap<>();
            final int clients = 1 + random.nextInt(60);
            for (int i = 0, n = random.nextInt(6000); i < n; i++)
            {
                final long client = random.nextInt(clients) - clients / 2;
                final long id = nextId.merge(client, 1L + random.nextInt(3), Long::sum);
                final int partition = random.nextInt(10) == 0 ? RequestDeduplicator.ANY_PARTITION :
                    random.nextInt(partitions);
                final int result = random.nextInt(3);
                if (partition == moved || random.nextBoolean())
                {
                    if (source.claim(client, 1, ALL_OPEN))
                    {
                        source.record(client, id, result, partition);
                    }
                }
                else if (target.claim(client, 2, ALL_OPEN))
                {
                    target.record(client, id, result, partition);
                    replica.claim(client, 2, ALL_OPEN);
                    replica.record(client, id, result, partition);
                }
            }
            assertEquals(contents(target), contents(replica), "seed " + seed + " run " + run + ": replicas agree");

            final List<Outcome> all = export(source, moved, Integer.MAX_VALUE);
            final int pageSize = 1 + random.nextInt(600);
            assertEquals(all, export(source, moved, pageSize),
                "seed " + seed + " run " + run + ": pages of " + pageSize + " hold exactly the outcomes of one page");

            handOver(source, target, moved, pageSize);
            handOver(source, replica, moved, 1 + random.nextInt(600));
            assertEquals(contents(target), contents(replica),
                "seed " + seed + " run " + run + ": the same outcomes imported in other pages give the same state");
            if (target.clientCount() < target.maxClients())
            {
                // (with every window in use, a repeat brings back clients the first pushed out, and pushes others)
                final String before = contents(target);
                assertEquals(0, handOver(source, target, moved, pageSize), "a repeated hand-over adds nothing");
                assertEquals(before, contents(target), "seed " + seed + " run " + run + ": repeating changes nothing");
                repeated++;
            }

            assertTrue(target.clientCount() <= target.maxClients(), "the client bound holds");
            for (final RequestDeduplicator.ClientWindow window : target.windows())
            {
                assertTrue(window.count <= RequestDeduplicator.WINDOW, "the window bound holds");
            }
            // every exported outcome the target kept is the source's; one it lacks was pushed out by newer ones (it
            // reads as forgotten) or its client's window was recycled
            final Map<Long, Integer> lowestKept = new HashMap<>();
            for (final RequestDeduplicator.ClientWindow window : target.windows())
            {
                long lowest = Long.MAX_VALUE;
                for (int i = 0; i < window.count; i++)
                {
                    lowest = Math.min(lowest, window.correlationIds[i]);
                }
                lowestKept.put(window.clientId, window.count < RequestDeduplicator.WINDOW ? Integer.MIN_VALUE :
                    (int)lowest);
            }
            final boolean clientsRecycled = target.clientCount() == target.maxClients();
            for (final Outcome outcome : all)
            {
                final int known = target.resultOf(outcome.clientId, outcome.correlationId);
                if (RequestDeduplicator.FORGOTTEN_MARK == outcome.result)
                {
                    // not an outcome: the source's forgotten mark, which the target must now honour too
                    assertTrue(RequestDeduplicator.FORGOTTEN == known || clientsRecycled &&
                        null == lowestKept.get(outcome.clientId),
                        "seed " + seed + " run " + run + ": the source's mark " + outcome + " was not handed over");
                    continue;
                }
                if (RequestDeduplicator.UNKNOWN == known || RequestDeduplicator.FORGOTTEN == known)
                {
                    final Integer lowest = lowestKept.get(outcome.clientId);
                    assertTrue(clientsRecycled && null == lowest ||
                        null != lowest && outcome.correlationId < lowest,
                        "seed " + seed + " run " + run + ": outcome " + outcome + " lost though the window had room");
                }
                else
                {
                    assertEquals(outcome.result, known, "seed " + seed + " run " + run + ": " + outcome);
                }
            }
        }
        assertTrue(repeated > 0, "seed " + seed + ": no run checked a repeated hand-over");
    }

    @Test
    void shouldRecordAndHandOverWithoutAllocatingOnTheWritePath()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation counting not supported");
        final RequestDeduplicator deduplicator = new RequestDeduplicator(1000);
        long client = 0;
        for (; client < 20_000; client++)
        {
            deduplicator.claim(client, 1, ALL_OPEN);
            deduplicator.record(client, client, 0, (int)(client % 271));
        }
        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (final long end = client + 100_000; client < end; client++)
        {
            deduplicator.claim(client, 1, ALL_OPEN);
            deduplicator.record(client, client, 0, (int)(client % 271));
            deduplicator.record(client, client + 1, 0, (int)(client % 271));
        }
        final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(allocated < 4096, "200,000 writes with partitions allocated " + allocated + " bytes");
    }

    @Test
    void shouldCarryPartitionsInSnapshotsAndLoadAVersionOneWindowAsOfAnyPartition()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        final SnapshotClientWindowEncoder encoder = new SnapshotClientWindowEncoder();
        final SnapshotClientWindowEncoder.RequestsEncoder requests = encoder
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .clientId(7).ownerSessionId(3).lastSequence(1).requestsCount(2);
        requests.next().correlationId(10).result(1).partition(4);
        requests.next().correlationId(11).result(0).partition(RequestDeduplicator.ANY_PARTITION);
        final RequestDeduplicator current = new RequestDeduplicator(4);
        StoreSnapshot.restoreWindow(wrap(buffer), current);
        current.restored();
        assertEquals(List.of(new Outcome(7, 10, 1), new Outcome(7, 11, 0)), export(current, 4, 100));
        assertEquals(List.of(new Outcome(7, 11, 0)), export(current, 5, 100));

        // the same window as schema version 1 wrote it: 12-byte outcomes without a partition
        final UnsafeBuffer old = new UnsafeBuffer(new byte[1024]);
        int offset = 0;
        old.putShort(offset, (short)SnapshotClientWindowEncoder.BLOCK_LENGTH, ByteOrder.LITTLE_ENDIAN);
        old.putShort(offset + 2, (short)SnapshotClientWindowEncoder.TEMPLATE_ID, ByteOrder.LITTLE_ENDIAN);
        old.putShort(offset + 4, (short)SnapshotClientWindowEncoder.SCHEMA_ID, ByteOrder.LITTLE_ENDIAN);
        old.putShort(offset + 6, (short)1, ByteOrder.LITTLE_ENDIAN);
        offset += MessageHeaderEncoder.ENCODED_LENGTH;
        old.putLong(offset, 7, ByteOrder.LITTLE_ENDIAN);
        old.putLong(offset + 8, 3, ByteOrder.LITTLE_ENDIAN);
        old.putLong(offset + 16, 1, ByteOrder.LITTLE_ENDIAN);
        offset += SnapshotClientWindowEncoder.BLOCK_LENGTH;
        old.putShort(offset, (short)12, ByteOrder.LITTLE_ENDIAN);
        old.putShort(offset + 2, (short)2, ByteOrder.LITTLE_ENDIAN);
        offset += 4;
        for (int i = 0; i < 2; i++)
        {
            old.putLong(offset, 10 + i, ByteOrder.LITTLE_ENDIAN);
            old.putInt(offset + 8, 1 - i, ByteOrder.LITTLE_ENDIAN);
            offset += 12;
        }
        final RequestDeduplicator restored = new RequestDeduplicator(4);
        StoreSnapshot.restoreWindow(wrap(old), restored);
        restored.restored();
        assertEquals(1, restored.resultOf(7, 10));
        assertEquals(0, restored.resultOf(7, 11));
        assertEquals(List.of(new Outcome(7, 10, 1), new Outcome(7, 11, 0)), export(restored, 5, 100),
            "a version 1 outcome's partition is unknown, so it goes with any move");
    }

    private static SnapshotClientWindowDecoder wrap(final UnsafeBuffer buffer)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        return new SnapshotClientWindowDecoder().wrap(
            buffer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
    }

    /**
     * What the mover does between a frozen source and an incoming target, without the groups: pages exported and
     * imported in order.
     */
    private static long handOver(
        final RequestDeduplicator source, final RequestDeduplicator target, final int partition, final int pageSize)
    {
        long imported = 0;
        long from = Long.MIN_VALUE;
        do
        {
            final List<Outcome> page = new ArrayList<>();
            from = source.exportPage(partition, from, pageSize,
                (clientId, correlationId, result) -> page.add(new Outcome(clientId, correlationId, result)));
            int i = 0;
            while (i < page.size())
            {
                final long client = page.get(i).clientId;
                // a client's run: its outcomes of the partition and its forgotten mark
                final long[] ids = new long[RequestDeduplicator.WINDOW + 1];
                final int[] results = new int[RequestDeduplicator.WINDOW + 1];
                int n = 0;
                for (; i < page.size() && page.get(i).clientId == client; i++)
                {
                    ids[n] = page.get(i).correlationId;
                    results[n++] = page.get(i).result;
                }
                imported += target.importOutcomes(client, ids, results, n, partition);
            }
        }
        while (Long.MIN_VALUE != from);
        return imported;
    }

    private static List<Outcome> export(final RequestDeduplicator source, final int partition, final int pageSize)
    {
        final List<Outcome> all = new ArrayList<>();
        long from = Long.MIN_VALUE;
        do
        {
            final List<Outcome> page = new ArrayList<>();
            from = source.exportPage(partition, from, pageSize,
                (clientId, correlationId, result) -> page.add(new Outcome(clientId, correlationId, result)));
            assertTrue(!page.isEmpty() || Long.MIN_VALUE == from, "only the last page may be empty");
            all.addAll(page);
        }
        while (Long.MIN_VALUE != from);
        return all;
    }

    private static RequestDeduplicator.ClientWindow windowOf(final RequestDeduplicator deduplicator, final long id)
    {
        for (final RequestDeduplicator.ClientWindow window : deduplicator.windows())
        {
            if (window.clientId == id)
            {
                return window;
            }
        }
        throw new AssertionError("no window of client " + id);
    }

    /**
     * Everything that decides later answers and evictions: clients in LRU order, each window's outcomes oldest first.
     */
    private static String contents(final RequestDeduplicator deduplicator)
    {
        final StringBuilder text = new StringBuilder().append(deduplicator.sequence()).append(':');
        for (final RequestDeduplicator.ClientWindow window : deduplicator.windows())
        {
            text.append(window.clientId).append('@').append(window.lastSequence).append('[');
            for (int i = 0; i < window.count; i++)
            {
                final int index = window.indexOf(i);
                text.append(window.correlationIds[index]).append('=').append(window.results[index]).append('/')
                    .append(window.partitions[index]).append(' ');
            }
            text.append(']');
        }
        return text.toString();
    }
}
