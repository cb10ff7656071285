package io.ferrite.replication;

import org.agrona.collections.Long2LongHashMap;

import java.util.ArrayList;
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
 * Memory is bounded: at most {@code maxClients} windows ({@link ReplicationConfiguration#DEDUP_MAX_CLIENTS_PROP_NAME},
 * 4096 by default, about 3 KiB each), recycled once all exist. Windows sit in an intrusive LRU list linked by slot
 * index, so the client whose last write (or claim) is oldest is found and forgotten in O(1). Deterministic: it
 * depends only on the order of calls (and on which sessions are open, which the log decides).
 * <b>Note:</b> not thread-safe; used on the service thread.
 */
final class RequestDeduplicator
{
    static final int WINDOW = 256;
    static final int UNKNOWN = Integer.MIN_VALUE;
    /** Owner of an id restored from a snapshot that named none: any session may claim it. */
    static final long NO_SESSION = -1;
    /** Heap bytes one client's window holds (correlation ids and results). */
    static final int BYTES_PER_CLIENT = WINDOW * (Long.BYTES + Integer.BYTES);

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
     * The result recorded for {@code correlationId} of {@code clientId}, or {@link #UNKNOWN}.
     */
    int resultOf(final long clientId, final long correlationId)
    {
        final int slot = (int)slotByClient.get(clientId);
        return NONE == slot ? UNKNOWN : windows[slot].resultOf(correlationId);
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
     * {@code result}.
     */
    void record(final long clientId, final long correlationId, final int result)
    {
        final int slot = (int)slotByClient.get(clientId);
        if (NONE != slot)
        {
            windows[slot].record(correlationId, result);
            touch(slot);
        }
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
        long clientId;
        int count;
        int next;
        long lastSequence;
        long ownerSessionId = NO_SESSION;

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
            return UNKNOWN;
        }

        void record(final long correlationId, final int result)
        {
            correlationIds[next] = correlationId;
            results[next] = result;
            next = (next + 1) % WINDOW;
            count = Math.min(WINDOW, count + 1);
        }
    }
}
