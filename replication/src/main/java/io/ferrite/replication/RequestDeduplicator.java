package io.ferrite.replication;

import org.agrona.collections.Long2LongHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Remembers the outcome of each client instance's most recent writes so a write resent after a failover is
 * answered with its first outcome instead of being applied twice. Part of the replicated state (it is in
 * snapshots).
 * <p>
 * A client is known by its instance id: a random 64-bit number drawn per client instance (never configured, so a
 * restarted process never inherits the old one's outcomes). The id is bound to the cluster session that first
 * writes with it ({@link #claim}); another session presenting it is refused while the owner's session is open, and
 * may take it over once that session has closed or timed out (a client that reconnects with a new session keeps
 * its id and its outcomes). Each client has a window of its last {@link #WINDOW} write correlation ids and their
 * result codes; a client must keep at most that many writes in flight. Membership is exact, so requests from
 * several application threads of one client may reach the log in any order.
 * <p>
 * <b>Forgotten outcomes.</b> Keeping few writes in flight does not keep a resend within the window: a write whose
 * answer was lost stays in flight while the client's later writes are applied and push its outcome out, and the client
 * resends it at the next failover. Each window therefore remembers the highest correlation id whose outcome it dropped
 * ({@link ClientWindow#forgottenUpTo}); a write at or below it that the window does not hold is {@link #FORGOTTEN}: it
 * may have been applied, so it must be refused, not applied again (applied again, an old put brings back a value
 * deleted and overwritten since, and a compare-and-set expecting that value succeeds). This is exact: an outcome above
 * the mark was never dropped, so a write above it that the window does not hold was never applied. The price is that a
 * write held back unsent while more than a window of the client's later writes were applied is refused on its first
 * arrival too (the client then reports its outcome unknown).
 * <p>
 * Memory is bounded: at most {@code maxClients} windows ({@link ReplicationConfiguration#DEDUP_MAX_CLIENTS_PROP_NAME},
 * 4096 by default, about 3 KiB each), recycled once all exist. Windows sit in an intrusive LRU list linked by slot
 * index, so the client whose last write (or claim) is oldest is found and forgotten in O(1). Deterministic: it
 * depends only on the order of calls (and on which sessions are open, which the log decides).
 * <p>
 * <b>Moving partitions.</b> Each outcome also records its write's partition ({@link #ANY_PARTITION} when unknown:
 * written by the datastore path or restored from a version 1 snapshot). When a partition moves, the frozen source
 * {@link #exportPage exports} the outcomes of that partition (and the unknown ones) and the target
 * {@link #importOutcomes imports} them, so a write resent to the new owner is answered with its first outcome; each
 * window's forgotten mark goes with them (one {@link #FORGOTTEN_MARK} entry, the window's rather than the
 * partition's, so the target may refuse a little more than it must: a client's write to another of its partitions
 * held back unsent below the mark), so a resend the source applied and forgot is refused by the new owner too. An
 * import merges into a window by correlation id (one client draws them from one increasing sequence for every
 * group): if the window overflows, the lowest ids go, so the target's own newer outcomes are kept over older
 * imported ones. A client new to the target takes a window like a client's first write would (recycling the least
 * recently used when all exist).
 * <b>Note:</b> not thread-safe; used on the service thread.
 */
final class RequestDeduplicator
{
    static final int WINDOW = 256;
    static final int UNKNOWN = Integer.MIN_VALUE;
    /** Result of a write whose outcome left its client's window: it may have been applied. */
    static final int FORGOTTEN = Integer.MIN_VALUE + 1;
    /**
     * Result of a hand-over entry that carries no outcome but its window's {@link ClientWindow#forgottenUpTo} (as the
     * correlation id), so the target of a move refuses a resend the source may have applied and forgotten.
     */
    static final int FORGOTTEN_MARK = Integer.MIN_VALUE + 2;
    /** {@link ClientWindow#forgottenUpTo} of a window that dropped nothing (the SBE null value of an int64). */
    static final long NOTHING_FORGOTTEN = Long.MIN_VALUE;
    /** Owner of an id restored from a snapshot that named none: any session may claim it. */
    static final long NO_SESSION = -1;
    /** Partition of an outcome whose write's partition is not known; exported with every move. */
    static final int ANY_PARTITION = -1;
    /** Heap bytes one client's window holds (correlation ids, results and partitions). */
    static final int BYTES_PER_CLIENT = WINDOW * (Long.BYTES + Integer.BYTES + Integer.BYTES);

    private static final int NONE = -1;

    private final int maxClients;
    private final Long2LongHashMap slotByClient = new Long2LongHashMap(NONE);
    private final ClientWindow[] windows;
    private final int[] prev;
    private final int[] next;
    private int created;
    private int head = NONE;
    private int tail = NONE;
    private int free = NONE;
    private long sequence;
    private final long[] mergedIds = new long[2 * WINDOW];
    private final int[] mergedResults = new int[2 * WINDOW];
    private final int[] mergedPartitions = new int[2 * WINDOW];
    private final boolean[] mergedImported = new boolean[2 * WINDOW];
    private int mergedCount;

    RequestDeduplicator()
    {
        this(ReplicationConfiguration.dedupMaxClients());
    }

    RequestDeduplicator(final int maxClients)
    {
        if (maxClients < 1)
        {
            throw new IllegalArgumentException("maxClients must be positive: " + maxClients);
        }
        this.maxClients = maxClients;
        windows = new ClientWindow[maxClients];
        prev = new int[maxClients];
        next = new int[maxClients];
    }

    int maxClients()
    {
        return maxClients;
    }

    /**
     * The result recorded for {@code correlationId} of {@code clientId}, {@link #FORGOTTEN} if its outcome left the
     * client's window, or {@link #UNKNOWN} (never applied).
     */
    int resultOf(final long clientId, final long correlationId)
    {
        final int slot = (int)slotByClient.get(clientId);
        return NONE == slot ? UNKNOWN : windows[slot].resultOf(correlationId);
    }

    /**
     * How many of {@code clientId}'s outcomes were recorded after that of {@code correlationId} (0: the newest), or
     * -1 if the window does not hold it; for diagnostics ({@link WriteTrace}): an outcome at {@link #WINDOW} - 1 is
     * the next to be forgotten.
     */
    int ageOf(final long clientId, final long correlationId)
    {
        final int slot = (int)slotByClient.get(clientId);
        return NONE == slot ? -1 : windows[slot].ageOf(correlationId);
    }

    /**
     * Let {@code sessionId} write as {@code clientId}: true if the id is new, already the session's, or its owner's
     * session is no longer open (then the session takes it over, outcomes included); false if another open session
     * owns it.
     */
    boolean claim(final long clientId, final long sessionId, final LongPredicate isSessionOpen)
    {
        int slot = (int)slotByClient.get(clientId);
        if (NONE == slot)
        {
            slot = allocate(clientId);
            windows[slot].ownerSessionId = sessionId;
        }
        else
        {
            final ClientWindow window = windows[slot];
            if (window.ownerSessionId != sessionId)
            {
                if (NO_SESSION != window.ownerSessionId && isSessionOpen.test(window.ownerSessionId))
                {
                    return false;
                }
                window.ownerSessionId = sessionId;
            }
        }
        touch(slot);
        return true;
    }

    /**
     * Record that {@code correlationId} of {@code clientId}, {@link #claim claimed} before, was applied with
     * {@code result}, its write's partition unknown ({@link #ANY_PARTITION}).
     */
    void record(final long clientId, final long correlationId, final int result)
    {
        record(clientId, correlationId, result, ANY_PARTITION);
    }

    /**
     * Record that {@code correlationId} of {@code clientId}, {@link #claim claimed} before, was applied with
     * {@code result} to a key of {@code partition}.
     */
    void record(final long clientId, final long correlationId, final int result, final int partition)
    {
        final int slot = (int)slotByClient.get(clientId);
        if (NONE != slot)
        {
            windows[slot].record(correlationId, result, partition);
            touch(slot);
        }
    }

    /**
     * Receives exported outcomes, client by client, each client's oldest first.
     */
    @FunctionalInterface
    interface OutcomeConsumer
    {
        void accept(long clientId, long correlationId, int result);
    }

    /**
     * Export one page of the outcomes of {@code partition} (and those of unknown partition): the clients that have
     * any, in ascending id order from {@code fromClientId} on, each client's outcomes whole, until adding the next
     * client would pass {@code maxEntries} (a page holds at least one client). The order does not depend on how
     * windows sit in memory, so a page asked again of another leader is the same page.
     *
     * @param consumer given each outcome of the page; null only counts them.
     * @return the first client id of the next page, or {@link Long#MIN_VALUE} if this page was the last.
     */
    long exportPage(
        final int partition, final long fromClientId, final int maxEntries, final OutcomeConsumer consumer)
    {
        final long[] clients = new long[slotByClient.size()];
        int n = 0;
        for (int slot = head; NONE != slot; slot = next[slot])
        {
            final ClientWindow window = windows[slot];
            if (window.clientId >= fromClientId && window.exportCountOf(partition) > 0)
            {
                clients[n++] = window.clientId;
            }
        }
        Arrays.sort(clients, 0, n);
        int entries = 0;
        for (int i = 0; i < n; i++)
        {
            final ClientWindow window = windows[(int)slotByClient.get(clients[i])];
            final int count = window.exportCountOf(partition);
            if (entries > 0 && entries + count > maxEntries)
            {
                return clients[i];
            }
            entries += count;
            if (null != consumer)
            {
                if (window.hasForgotten())
                {
                    // the mark is the window's, not the partition's: a dropped outcome may be of this partition
                    consumer.accept(window.clientId, window.forgottenUpTo, FORGOTTEN_MARK);
                }
                window.forEachOf(partition, consumer);
            }
        }
        return Long.MIN_VALUE;
    }

    /**
     * Add a moving partition's outcomes of {@code clientId} from its source (oldest first) to this group's window of
     * the client, merged by correlation id; an id already known is left as it is. A client without a window gets
     * one, owned by no session. The client counts as used (for the LRU order) only if an outcome was kept, so a
     * repeated import changes nothing.
     *
     * @return how many outcomes were new here and kept.
     */
    int importOutcomes(
        final long clientId, final long[] correlationIds, final int[] results, final int count, final int partition)
    {
        int slot = (int)slotByClient.get(clientId);
        final boolean known = NONE != slot;
        if (!known)
        {
            slot = allocate(clientId);
        }
        final ClientWindow window = windows[slot];
        final long markBefore = window.forgottenUpTo;
        final int imported = merge(window, correlationIds, results, count, partition);
        if (imported > 0 || !known || window.forgottenUpTo != markBefore)
        {
            touch(slot);
        }
        return imported;
    }

    /**
     * Merge {@code n} outcomes (oldest first) into {@code window}: both sequences keep their order, the lower
     * correlation id goes first where they interleave, and the newest {@link #WINDOW} of the result stay.
     */
    private int merge(
        final ClientWindow window, final long[] ids, final int[] newResults, final int n, final int partition)
    {
        mergedCount = 0;
        int own = 0;
        int added = 0;
        for (int i = 0; i < n; i++)
        {
            if (FORGOTTEN_MARK == newResults[i])
            {
                window.forgot(ids[i]);
                continue;
            }
            if (UNKNOWN != window.resultOf(ids[i]) || isRepeated(ids, i))
            {
                continue;
            }
            while (own < window.count && window.correlationIds[window.indexOf(own)] < ids[i])
            {
                pushOwn(window, own++);
            }
            push(window, ids[i], newResults[i], partition, true);
            added++;
        }
        if (0 == added)
        {
            return 0;
        }
        while (own < window.count)
        {
            pushOwn(window, own++);
        }
        final int from = Math.max(0, mergedCount - WINDOW);
        for (int i = 0; i < from; i++)
        {
            window.forgot(mergedIds[i]);
        }
        int kept = 0;
        for (int i = from; i < mergedCount; i++)
        {
            window.correlationIds[i - from] = mergedIds[i];
            window.results[i - from] = mergedResults[i];
            window.partitions[i - from] = mergedPartitions[i];
            kept += mergedImported[i] ? 1 : 0;
        }
        window.count = mergedCount - from;
        window.next = window.count % WINDOW;
        return kept;
    }

    private void pushOwn(final ClientWindow window, final int i)
    {
        final int index = window.indexOf(i);
        push(window, window.correlationIds[index], window.results[index], window.partitions[index], false);
    }

    private void push(
        final ClientWindow window, final long id, final int result, final int partition, final boolean imported)
    {
        if (mergedCount == mergedIds.length)
        {
            // only the newest WINDOW can stay: drop the oldest half now
            for (int i = 0; i < WINDOW; i++)
            {
                window.forgot(mergedIds[i]);
            }
            System.arraycopy(mergedIds, WINDOW, mergedIds, 0, WINDOW);
            System.arraycopy(mergedResults, WINDOW, mergedResults, 0, WINDOW);
            System.arraycopy(mergedPartitions, WINDOW, mergedPartitions, 0, WINDOW);
            System.arraycopy(mergedImported, WINDOW, mergedImported, 0, WINDOW);
            mergedCount = WINDOW;
        }
        mergedIds[mergedCount] = id;
        mergedResults[mergedCount] = result;
        mergedPartitions[mergedCount] = partition;
        mergedImported[mergedCount] = imported;
        mergedCount++;
    }

    private static boolean isRepeated(final long[] ids, final int i)
    {
        for (int j = 0; j < i; j++)
        {
            if (ids[j] == ids[i])
            {
                return true;
            }
        }
        return false;
    }

    int clientCount()
    {
        return slotByClient.size();
    }

    /**
     * Clients from least to most recently used (the order eviction follows), for snapshots.
     */
    List<ClientWindow> windows()
    {
        final List<ClientWindow> list = new ArrayList<>(slotByClient.size());
        for (int slot = head; NONE != slot; slot = next[slot])
        {
            list.add(windows[slot]);
        }
        return list;
    }

    void clear()
    {
        while (NONE != head)
        {
            forget(head);
        }
        sequence = 0;
    }

    long sequence()
    {
        return sequence;
    }

    void sequence(final long sequence)
    {
        this.sequence = sequence;
    }

    /**
     * Add a client from a snapshot; call {@link #restored()} after the last.
     */
    ClientWindow restore(final long clientId, final long ownerSessionId, final long lastSequence)
    {
        final int existing = (int)slotByClient.get(clientId);
        final int slot = NONE != existing ? existing : allocate(clientId);
        final ClientWindow window = windows[slot];
        window.ownerSessionId = ownerSessionId;
        window.lastSequence = lastSequence;
        return window;
    }

    /**
     * Order the restored clients by their last use, as they were when the snapshot was taken (older snapshots list
     * them by id).
     */
    void restored()
    {
        final List<ClientWindow> list = windows();
        list.sort((a, b) -> Long.compare(a.lastSequence, b.lastSequence));
        head = NONE;
        tail = NONE;
        for (final ClientWindow window : list)
        {
            append(window.slot);
        }
    }

    private int allocate(final long clientId)
    {
        int slot;
        if (NONE != free)
        {
            slot = free;
            free = next[slot];
        }
        else if (created < maxClients)
        {
            slot = created++;
            windows[slot] = new ClientWindow(slot);
        }
        else
        {
            slot = head;
            forget(slot);
            free = next[slot];
        }
        windows[slot].reset(clientId);
        slotByClient.put(clientId, slot);
        append(slot);
        return slot;
    }

    private void forget(final int slot)
    {
        unlink(slot);
        slotByClient.remove(windows[slot].clientId);
        next[slot] = free;
        free = slot;
    }

    private void touch(final int slot)
    {
        windows[slot].lastSequence = ++sequence;
        if (tail != slot)
        {
            unlink(slot);
            append(slot);
        }
    }

    private void append(final int slot)
    {
        prev[slot] = tail;
        next[slot] = NONE;
        if (NONE == tail)
        {
            head = slot;
        }
        else
        {
            next[tail] = slot;
        }
        tail = slot;
    }

    private void unlink(final int slot)
    {
        final int p = prev[slot];
        final int n = next[slot];
        if (NONE == p)
        {
            head = n;
        }
        else
        {
            next[p] = n;
        }
        if (NONE == n)
        {
            tail = p;
        }
        else
        {
            prev[n] = p;
        }
    }

    /**
     * One client's recent writes, oldest overwritten first.
     */
    static final class ClientWindow
    {
        final int slot;
        final long[] correlationIds = new long[WINDOW];
        final int[] results = new int[WINDOW];
        final int[] partitions = new int[WINDOW];
        long clientId;
        int count;
        int next;
        long lastSequence;
        long ownerSessionId = NO_SESSION;
        /**
         * Highest correlation id whose outcome this window dropped, or {@link #NOTHING_FORGOTTEN}; part of the
         * replicated state (in snapshots from schema version 3).
         */
        long forgottenUpTo = NOTHING_FORGOTTEN;

        ClientWindow(final int slot)
        {
            this.slot = slot;
        }

        void reset(final long clientId)
        {
            this.clientId = clientId;
            count = 0;
            next = 0;
            lastSequence = 0;
            ownerSessionId = NO_SESSION;
            forgottenUpTo = NOTHING_FORGOTTEN;
        }

        /**
         * Outcomes recorded for {@code partition} or of unknown partition.
         */
        int countOf(final int partition)
        {
            int n = 0;
            for (int i = 0; i < count; i++)
            {
                final int p = partitions[i];
                n += p == partition || ANY_PARTITION == p ? 1 : 0;
            }
            return n;
        }

        /**
         * Entries a hand-over of {@code partition} carries for this window: its outcomes of the partition, and its
         * forgotten mark if it has one.
         */
        int exportCountOf(final int partition)
        {
            return countOf(partition) + (hasForgotten() ? 1 : 0);
        }

        /**
         * Whether an outcome left this window (correlation ids start at 1, so a mark below that names none).
         */
        boolean hasForgotten()
        {
            return forgottenUpTo > 0;
        }

        void forEachOf(final int partition, final OutcomeConsumer consumer)
        {
            for (int i = 0; i < count; i++)
            {
                final int index = indexOf(i);
                final int p = partitions[index];
                if (p == partition || ANY_PARTITION == p)
                {
                    consumer.accept(clientId, correlationIds[index], results[index]);
                }
            }
        }

        /**
         * Ring index of the {@code i}th oldest outcome.
         */
        int indexOf(final int i)
        {
            return (next - count + i + WINDOW) % WINDOW;
        }

        int resultOf(final long correlationId)
        {
            for (int i = 0; i < count; i++)
            {
                if (correlationIds[i] == correlationId)
                {
                    return results[i];
                }
            }
            return correlationId <= forgottenUpTo ? FORGOTTEN : UNKNOWN;
        }

        int ageOf(final long correlationId)
        {
            for (int i = 0; i < count; i++)
            {
                if (correlationIds[i] == correlationId)
                {
                    return (next - 1 - i + 2 * WINDOW) % WINDOW;
                }
            }
            return -1;
        }

        /**
         * The outcome of {@code correlationId} left the window.
         */
        void forgot(final long correlationId)
        {
            forgottenUpTo = Math.max(forgottenUpTo, correlationId);
        }

        void record(final long correlationId, final int result)
        {
            record(correlationId, result, ANY_PARTITION);
        }

        void record(final long correlationId, final int result, final int partition)
        {
            if (WINDOW == count)
            {
                forgot(correlationIds[next]);
            }
            correlationIds[next] = correlationId;
            results[next] = result;
            partitions[next] = partition;
            next = (next + 1) % WINDOW;
            count = Math.min(WINDOW, count + 1);
        }
    }
}
