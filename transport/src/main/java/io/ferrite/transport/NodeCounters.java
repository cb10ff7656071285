package io.ferrite.transport;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.ferrite.engine.StoreStats;
import org.agrona.CloseHelper;

/**
 * The node's counters, allocated in the media driver's counters file so another process (the {@code ferrite stats}
 * command, AeronStat) can read them while the node runs. Type ids are {@link #TYPE_ID_BASE} plus the index in
 * {@link #LABELS}.
 * <p>
 * <b>Note:</b> written only by the node's thread with release stores; readers in any thread or process use
 * acquire (volatile) loads.
 */
final class NodeCounters implements AutoCloseable
{
    static final int TYPE_ID_BASE = 7301_00;
    static final String LABEL_PREFIX = "ferrite-node: ";
    static final String[] LABELS = {
        "requests", "errors", "dropped frames", "sessions", "closed sessions",
        "size", "live bytes", "hits", "misses", "puts", "deletes", "evictions", "expirations", "rejected",
        "response messages", "auth failures", "permission denied" };

    final Counter requests;
    final Counter errors;
    final Counter droppedFrames;
    final Counter sessions;
    final Counter closedSessions;
    final Counter responseMessages;
    /** Connects refused: unknown user, bad secret, malformed credentials. */
    final Counter authFailures;
    /** Requests refused because the session's role does not allow them. */
    final Counter permissionDenied;
    private final Counter[] storeCounters;

    NodeCounters(final Aeron aeron)
    {
        final Counter[] all = new Counter[LABELS.length];
        for (int i = 0; i < LABELS.length; i++)
        {
            all[i] = aeron.addCounter(TYPE_ID_BASE + i, LABEL_PREFIX + LABELS[i]);
        }
        requests = all[0];
        errors = all[1];
        droppedFrames = all[2];
        sessions = all[3];
        closedSessions = all[4];
        responseMessages = all[LABELS.length - 3];
        authFailures = all[LABELS.length - 2];
        permissionDenied = all[LABELS.length - 1];
        storeCounters = new Counter[LABELS.length - 8];
        System.arraycopy(all, 5, storeCounters, 0, storeCounters.length);
    }

    void update(final StoreStats stats)
    {
        storeCounters[0].setRelease(stats.size());
        storeCounters[1].setRelease(stats.liveBytes());
        storeCounters[2].setRelease(stats.hits());
        storeCounters[3].setRelease(stats.misses());
        storeCounters[4].setRelease(stats.puts());
        storeCounters[5].setRelease(stats.deletes());
        storeCounters[6].setRelease(stats.evictions());
        storeCounters[7].setRelease(stats.expirations());
        storeCounters[8].setRelease(stats.rejected());
    }

    public void close()
    {
        CloseHelper.closeAll(requests, errors, droppedFrames, sessions, closedSessions, responseMessages, authFailures,
            permissionDenied);
        CloseHelper.closeAll(storeCounters);
    }
}
