package io.ferrite.replication.datastore;

import io.aeron.Aeron;
import io.aeron.Counter;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The datastore policies' counters of one group member, in its media driver's counters file (type ids
 * {@value #FIRST_TYPE_ID}..{@value #LAST_TYPE_ID}, key: the group id), so {@code ferrite status} reads them from
 * another process: write-behind pending entries, pending bytes, oldest pending age, records flushed, flush batches,
 * flush failures, writes coalesced, writes refused as full; read-through loads, load failures, overtaken loads;
 * write-through writes and failures; leader-local state: flush in flight, database calls outstanding, outcomes not yet
 * back through the log, outcomes resent, flushes redone because their acknowledgement was lost; write-through commits
 * not applied because their partition had frozen for a move or left (the client resends them to the owner). Flush and
 * load counts are the leader's (while it led).
 * <b>Note:</b> written by the service thread (release stores), read by any process.
 */
public final class DataStoreCounters implements AutoCloseable
{
    public static final int FIRST_TYPE_ID = 7310;
    public static final int LAST_TYPE_ID = 7328;
    static final String[] NAMES = {
        "pending-entries", "pending-bytes", "oldest-pending-age-ms", "flushed-records", "flush-batches",
        "flush-failures", "coalesced-writes", "refused-full", "loads", "load-failures", "loads-overtaken",
        "write-through-writes", "write-through-failures", "flush-in-flight", "agent-outstanding", "outcome-backlog",
        "outcome-resends", "flushes-redone", "write-through-redirected" };

    private final int group;
    private final Counter[] all = new Counter[NAMES.length];
    AtomicCounter pendingEntries;
    AtomicCounter pendingBytes;
    AtomicCounter oldestAgeMs;
    AtomicCounter flushed;
    AtomicCounter flushBatches;
    AtomicCounter flushFailures;
    AtomicCounter coalesced;
    AtomicCounter rejected;
    AtomicCounter loads;
    AtomicCounter loadFailures;
    AtomicCounter overtaken;
    AtomicCounter written;
    AtomicCounter writeFailures;
    AtomicCounter flushInFlight;
    AtomicCounter agentOutstanding;
    AtomicCounter outcomeBacklog;
    AtomicCounter outcomeResends;
    AtomicCounter flushRedone;
    AtomicCounter redirected;

    DataStoreCounters(final int group)
    {
        this.group = group;
    }

    void register(final Aeron aeron)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[4]);
        key.putInt(0, group);
        for (int i = 0; i < NAMES.length; i++)
        {
            final String label = "Ferrite datastore " + NAMES[i] + ": group=" + group;
            all[i] = aeron.addCounter(FIRST_TYPE_ID + i, key, 0, 4,
                new UnsafeBuffer(label.getBytes(StandardCharsets.US_ASCII)), 0, label.length());
        }
        pendingEntries = all[0];
        pendingBytes = all[1];
        oldestAgeMs = all[2];
        flushed = all[3];
        flushBatches = all[4];
        flushFailures = all[5];
        coalesced = all[6];
        rejected = all[7];
        loads = all[8];
        loadFailures = all[9];
        overtaken = all[10];
        written = all[11];
        writeFailures = all[12];
        flushInFlight = all[13];
        agentOutstanding = all[14];
        outcomeBacklog = all[15];
        outcomeResends = all[16];
        flushRedone = all[17];
        redirected = all[18];
    }

    void update(final PendingWrites pending, final long nowMs)
    {
        pendingEntries.setRelease(pending.size());
        pendingBytes.setRelease(pending.bytes());
        final long oldest = pending.oldestDirtySinceMs();
        oldestAgeMs.setRelease(oldest < 0 ? 0 : Math.max(0, nowMs - oldest));
    }

    public void close()
    {
        CloseHelper.closeAll(all);
    }

    /**
     * The datastore counters of {@code group} in a counters file, by name (empty if the group runs no policy).
     */
    public static Map<String, Long> read(final CountersReader counters, final int group)
    {
        final Map<String, Long> values = new LinkedHashMap<>();
        counters.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId >= FIRST_TYPE_ID && typeId <= LAST_TYPE_ID && groupOf(keyBuffer) == group)
            {
                values.put(NAMES[typeId - FIRST_TYPE_ID], counters.getCounterValue(counterId));
            }
        });
        return values;
    }

    private static int groupOf(final DirectBuffer keyBuffer)
    {
        return keyBuffer.getInt(0);
    }
}
