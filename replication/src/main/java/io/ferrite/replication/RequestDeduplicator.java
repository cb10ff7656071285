package io.ferrite.replication;

import org.agrona.collections.Long2ObjectHashMap;

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
 * several application threads of one client may reach the log in any order. At most {@link #MAX_CLIENTS} clients
 * are remembered; beyond that the one whose last write is oldest in the log is forgotten. Deterministic: it
 * depends only on the order of calls (and on which sessions are open, which the log decides).
 * <b>Note:</b> not thread-safe; used on the service thread.
 */
final class RequestDeduplicator
{
    static final int WINDOW = 256;
    static final int MAX_CLIENTS = 65536;
    static final int UNKNOWN = Integer.MIN_VALUE;
    /** Owner of an id restored from a snapshot that named none: any session may claim it. */
    static final long NO_SESSION = -1;

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
     * Let {@code sessionId} write as {@code clientId}: true if the id is new, already the session's, or its owner's
     * session is no longer open (then the session takes it over, outcomes included); false if another open session
     * owns it.
     */
    boolean claim(final long clientId, final long sessionId, final LongPredicate isSessionOpen)
    {
        final ClientWindow window = clients.get(clientId);
        if (null == window)
        {
            if (clients.size() >= MAX_CLIENTS)
            {
                forgetOldest();
            }
            final ClientWindow created = new ClientWindow(clientId);
            created.ownerSessionId = sessionId;
            clients.put(clientId, created);
            return true;
        }
        if (window.ownerSessionId == sessionId)
        {
            return true;
        }
        if (NO_SESSION != window.ownerSessionId && isSessionOpen.test(window.ownerSessionId))
        {
            return false;
        }
        window.ownerSessionId = sessionId;
        return true;
    }

    /**
     * Record that {@code correlationId} of {@code clientId}, {@link #claim claimed} before, was applied with
     * {@code result}.
     */
    void record(final long clientId, final long correlationId, final int result)
    {
        final ClientWindow window = clients.get(clientId);
        if (null != window)
        {
            window.record(correlationId, result, ++sequence);
        }
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

    ClientWindow restore(final long clientId, final long ownerSessionId, final long lastSequence)
    {
        final ClientWindow window = new ClientWindow(clientId);
        window.ownerSessionId = ownerSessionId;
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
        long ownerSessionId = NO_SESSION;

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
