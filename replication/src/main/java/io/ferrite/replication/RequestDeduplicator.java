package io.ferrite.replication;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayList;
import java.util.List;

/**
 * Remembers the outcome of each client's most recent writes so a write resent after a failover is answered
 * with its first outcome instead of being applied twice. Part of the replicated state (it is in snapshots).
 * <p>
 * Each client (by its client id, which outlives sessions) has a window of its last {@link #WINDOW} write
 * correlation ids and their result codes; a client must keep at most that many writes in flight. Membership is
 * exact, so requests from several application threads of one client may reach the log in any order. At most
 * {@link #MAX_CLIENTS} clients are remembered; beyond that the one whose last write is oldest in the log is
 * forgotten. Deterministic: it depends only on the order of calls.
 * <b>Note:</b> not thread-safe; used on the service thread.
 */
final class RequestDeduplicator
{
    static final int WINDOW = 256;
    static final int MAX_CLIENTS = 65536;
    static final int UNKNOWN = Integer.MIN_VALUE;

    private final Long2ObjectHashMap<ClientWindow> clients = new Long2ObjectHashMap<>();
    private long sequence;

    /**
     * The result recorded for {@code correlationId} of {@code clientId}, or {@link #UNKNOWN}.
     */
    int resultOf(final long clientId, final long correlationId)
    {
        final ClientWindow window = clients.get(clientId);
        return null == window ? UNKNOWN : window.resultOf(correlationId);
    }

    /**
     * Record that {@code correlationId} of {@code clientId} was applied with {@code result}.
     */
    void record(final long clientId, final long correlationId, final int result)
    {
        ClientWindow window = clients.get(clientId);
        if (null == window)
        {
            if (clients.size() >= MAX_CLIENTS)
            {
                forgetOldest();
            }
            window = new ClientWindow(clientId);
            clients.put(clientId, window);
        }
        window.record(correlationId, result, ++sequence);
    }

    int clientCount()
    {
        return clients.size();
    }

    /**
     * Clients in a deterministic order (by client id), for snapshots.
     */
    List<ClientWindow> windows()
    {
        final List<ClientWindow> list = new ArrayList<>(clients.values());
        list.sort((a, b) -> Long.compare(a.clientId, b.clientId));
        return list;
    }

    void clear()
    {
        clients.clear();
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

    ClientWindow restore(final long clientId, final long lastSequence)
    {
        final ClientWindow window = new ClientWindow(clientId);
        window.lastSequence = lastSequence;
        clients.put(clientId, window);
        return window;
    }

    private void forgetOldest()
    {
        ClientWindow oldest = null;
        for (final ClientWindow window : clients.values())
        {
            if (null == oldest || window.lastSequence < oldest.lastSequence)
            {
                oldest = window;
            }
        }
        if (null != oldest)
        {
            clients.remove(oldest.clientId);
        }
    }

    /**
     * One client's recent writes, oldest overwritten first.
     */
    static final class ClientWindow
    {
        final long clientId;
        final long[] correlationIds = new long[WINDOW];
        final int[] results = new int[WINDOW];
        int count;
        int next;
        long lastSequence;

        ClientWindow(final long clientId)
        {
            this.clientId = clientId;
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

        void record(final long correlationId, final int result, final long sequence)
        {
            correlationIds[next] = correlationId;
            results[next] = result;
            next = (next + 1) % WINDOW;
            count = Math.min(WINDOW, count + 1);
            lastSequence = sequence;
        }
    }
}
