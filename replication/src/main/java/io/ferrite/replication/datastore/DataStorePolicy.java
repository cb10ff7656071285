package io.ferrite.replication.datastore;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.ferrite.codec.ResponseEncoders;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.DatastoreFlushedDecoder;
import io.ferrite.codec.sbe.DatastoreFlushedEncoder;
import io.ferrite.codec.sbe.DatastoreInvalidateDecoder;
import io.ferrite.codec.sbe.DatastoreInvalidateEncoder;
import io.ferrite.codec.sbe.DatastoreLoadResultDecoder;
import io.ferrite.codec.sbe.DatastoreLoadResultEncoder;
import io.ferrite.codec.sbe.DatastoreTickDecoder;
import io.ferrite.codec.sbe.DatastoreTickEncoder;
import io.ferrite.codec.sbe.DatastoreWriteCommittedDecoder;
import io.ferrite.codec.sbe.DatastoreWriteCommittedEncoder;
import io.ferrite.codec.sbe.DeleteRequestDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PutRequestDecoder;
import io.ferrite.engine.FerriteStore;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The datastore policies of one replica group (read-through, write-through, write-behind), hooked into the
 * group's command handler and kept deterministic: database I/O runs on a {@link DataStoreAgent} thread of the
 * leader only, and its outcomes come back as messages the leader sends into the group's own log through its own
 * client session of the group ({@link OutcomePublisher}), which every member applies alike, each checked against
 * the log so a repeated or late outcome is harmless.
 * <ul>
 * <li><b>read-through</b>: a get that misses on the leader starts one load per key (concurrent misses join it);
 * the result is applied through the log ({@code DatastoreLoadResult}) only if the key was not written after the
 * get that started it ({@link WriteVersions}), and answers every waiting caller; a database that fails or is slower
 * than the load timeout gives the callers {@code DATASTORE_UNAVAILABLE}/{@code DATASTORE_TIMEOUT}; hits never wait.
 * <li><b>write-through</b>: a write is not applied when its request is; the leader writes the database and, once it
 * committed, sequences {@code DatastoreWriteCommitted}, whose application stores the value and answers the caller,
 * so the answer means the database has it and a majority has the command. A refusal or timeout answers an error
 * and the value is never served (after a timeout the entry is also invalidated: the database may hold it).
 * <li><b>write-behind</b>: a write is applied and answered as usual and recorded in the replicated
 * {@link PendingWrites}; the leader flushes the oldest pending writes in batches, retries with backoff while the
 * database is down, and sequences {@code DatastoreFlushed} to clean them. A full pending set refuses writes with
 * {@code WRITE_BEHIND_FULL}; pending values answer reads even if the store evicted them.
 * </ul>
 * Why not {@link Cluster#offer} and a cluster timer: Aeron keeps per-member bookkeeping of both that assumes every
 * member's service makes the same offers and schedules the same timers. A follower that sees a timer event in the log
 * for a timer it never scheduled counts it as already expired and silently ignores that many of its own later
 * schedules of the same correlation id; so after a failover the new leader's outcome timer did not fire (thousands
 * of the old leader's 1 ms timer events were counted) and outcomes waited for client traffic. Service messages are
 * numbered per member the same way and a new leader's are dropped while its numbering trails the log's. An ordinary
 * client session has neither problem: what the leader sends is sequenced like any client request.
 * <p>
 * Callers that must be answered outside the agent's outcomes (a failed load, a timed-out waiter, a refused write)
 * are answered from the next log callback; the leader sends a {@code DatastoreTick} through its session to make one.
 * <b>Note:</b> not thread-safe; every method runs on the service thread.
 */
public final class DataStorePolicy implements AutoCloseable
{
    /**
     * Where write-through commits record their outcome for request deduplication.
     */
    @FunctionalInterface
    public interface WriteRecorder
    {
        void record(long clientId, long correlationId, int result);
    }

    private static final int OFFER_ATTEMPTS = 100;
    /** A flush whose acknowledgement has not been applied this long after the database committed it is redone. */
    static final long FLUSH_ACK_STALL_NS = 5 * OutcomePublisher.RESEND_NS;
    /** A flush the agent has not finished this long after it was handed over is redone (a harmless repeat). */
    private static final long FLUSH_STALL_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long TICK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int POSITION_BITS = 47;

    private final DataStorePolicyContext ctx;
    private final PendingWrites pending;
    private final WriteVersions writeVersions;
    private final DataStoreAgent agent;
    private final AgentRunner runner;
    private final DataStoreCounters counters;
    private final OutcomePublisher publisher;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final DatastoreLoadResultDecoder loadResultDecoder = new DatastoreLoadResultDecoder();
    private final DatastoreLoadResultEncoder loadResultEncoder = new DatastoreLoadResultEncoder();
    private final DatastoreWriteCommittedDecoder committedDecoder = new DatastoreWriteCommittedDecoder();
    private final DatastoreWriteCommittedEncoder committedEncoder = new DatastoreWriteCommittedEncoder();
    private final DatastoreFlushedDecoder flushedDecoder = new DatastoreFlushedDecoder();
    private final DatastoreFlushedEncoder flushedEncoder = new DatastoreFlushedEncoder();
    private final DatastoreInvalidateDecoder invalidateDecoder = new DatastoreInvalidateDecoder();
    private final DatastoreInvalidateEncoder invalidateEncoder = new DatastoreInvalidateEncoder();
    private final DatastoreTickEncoder tickEncoder = new DatastoreTickEncoder();
    private final ResponseEncoders responses = new ResponseEncoders();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(4096);
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(64 * 1024);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final HashMap<ByteKey, Flight> activeFlights = new HashMap<>();
    private final Long2ObjectHashMap<Flight> flightsByStart = new Long2ObjectHashMap<>();
    private final ArrayList<Flight> failedFlights = new ArrayList<>();
    private final ArrayDeque<OwedError> owedErrors = new ArrayDeque<>();
    private final ArrayList<OwedError> afterInvalidate = new ArrayList<>();
    private LongSupplier mapEpoch = () -> 1;
    private Partitions partitions = Partitions.NONE;
    private Cluster cluster;
    private FerriteStore store;
    private WriteRecorder recorder;
    private boolean leader;
    private boolean flushInFlight;
    private DataStoreTask currentFlush;
    private long flushNumber;
    private long flushSubmittedNs;
    private long flushDoneNs;
    private long nextFlushNs;
    private long nextDeadlineNs = Long.MAX_VALUE;
    private long lastTickNs;
    private long ticks;
    private long backoffMs;
    private long position;
    private long timestampMs;

    /**
     * A read-through load in progress on the leader and the callers waiting for it.
     */
    private static final class Flight
    {
        final byte[] key;
        final long startPosition;
        final long startNs;
        final ArrayList<long[]> waiters = new ArrayList<>(2);
        ErrorCode failure;
        String failureText;

        Flight(final byte[] key, final long startPosition, final long startNs)
        {
            this.key = key;
            this.startPosition = startPosition;
            this.startNs = startNs;
        }
    }

    /**
     * An error the leader owes a caller, answered from a log callback (after {@code key}'s invalidation, if set).
     */
    private record OwedError(long sessionId, long correlationId, int templateId, ErrorCode code, String text,
        byte[] key)
    {
    }

    /**
     * @param store          the database; closed with this policy.
     * @param sessionContext the context of the leader's own client session of the group, given the member's Aeron
     *                       client (called for every connection attempt).
     */
    public DataStorePolicy(
        final DataStorePolicyContext ctx, final DataStore store, final int group,
        final Function<Aeron, AeronCluster.Context> sessionContext)
    {
        this.ctx = ctx;
        this.pending = new PendingWrites(ctx.pendingMaxEntries(), ctx.pendingMaxBytes());
        this.writeVersions = new WriteVersions(ctx.maxTrackedWrites());
        this.agent = new DataStoreAgent(store);
        this.runner = new AgentRunner(new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(10),
            TimeUnit.MILLISECONDS.toNanos(1)), Throwable::printStackTrace, null, agent);
        this.counters = new DataStoreCounters(group);
        this.publisher = new OutcomePublisher(sessionContext);
    }

    /**
     * Bind to the service's cluster and store and start the agent thread.
     */
    public void onStart(final Cluster cluster, final FerriteStore store, final WriteRecorder recorder)
    {
        this.cluster = cluster;
        this.store = store;
        this.recorder = recorder;
        counters.register(cluster.aeron());
        publisher.aeron(cluster.aeron());
        AgentRunner.startOnThread(runner);
    }

    /**
     * Where the group's partition-map epoch is read from (replicated state; 1 for a group that is not partitioned).
     */
    public void mapEpoch(final LongSupplier mapEpoch)
    {
        this.mapEpoch = mapEpoch;
    }

    /**
     * What the partition layer decides about a write the datastore applies after its request was admitted (a
     * write-through commit, an invalidation): by then the key's partition may be frozen for its cut-over or gone to
     * another group, and a write applied on a moving partition must be copied again.
     */
    public interface Partitions
    {
        /** A group that is not part of a partitioned cluster: everything may be applied, nothing moves. */
        Partitions NONE = new Partitions()
        {
            public boolean admitDeferredWrite(
                final ClientSession session, final long correlationId, final int templateId, final DirectBuffer key,
                final int keyOffset, final int keyLength)
            {
                return true;
            }

            public void onDeferredWrite(
                final DirectBuffer key, final int keyOffset, final int keyLength, final long ttlMs)
            {
            }
        };

        /**
         * @return true if this group may apply the write now; false if its partition is frozen or owned elsewhere,
         * in which case {@code session} (when not null) was answered with the redirect its client follows.
         */
        boolean admitDeferredWrite(
            ClientSession session, long correlationId, int templateId, DirectBuffer key, int keyOffset, int keyLength);

        /**
         * The store's entry of the key was just changed by a deferred write ({@code ttlMs} 0: no expiry).
         */
        void onDeferredWrite(DirectBuffer key, int keyOffset, int keyLength, long ttlMs);
    }

    /**
     * Where deferred writes ask whether they may be applied, and report that they were.
     */
    public void partitions(final Partitions partitions)
    {
        this.partitions = partitions;
    }

    /**
     * The version a write made at log position {@code position} carries into the database: the group's map epoch in
     * the high bits, the position below. Positions of two groups are not comparable, epochs are: every move of a
     * partition gets a new epoch, which its source learns only after its last write of the partition and its target
     * before its first, so a moved key's writes on its new owner outrank those on its old one. With epoch 1 (a group
     * never part of a move) the version is the position. Valid while positions stay below 2^47 (128 TiB of log).
     */
    public static long databaseVersion(final long mapEpoch, final long position)
    {
        return ((mapEpoch - 1) << POSITION_BITS) | position;
    }

    public void onRoleChange(final Cluster.Role role)
    {
        if (leader == (Cluster.Role.LEADER == role))
        {
            return;
        }
        leader = Cluster.Role.LEADER == role;
        // the callers of a leader that stepped down resend to the next one, which redoes the database work
        activeFlights.clear();
        flightsByStart.clear();
        failedFlights.clear();
        owedErrors.clear();
        afterInvalidate.clear();
        publisher.reset();
        flushInFlight = false;
        currentFlush = null;
        nextDeadlineNs = Long.MAX_VALUE;
        backoffMs = 0;
        nextFlushNs = System.nanoTime();
    }

    /**
     * Every log message, before it is applied: its position (the version of any write it makes) and time.
     */
    public void onLogMessage(final long position, final long timestampMs)
    {
        this.position = position;
        this.timestampMs = timestampMs;
    }

    // ---------------------------------------------------------------- hooks of the command handler

    /**
     * A get that missed the store.
     *
     * @return true if the policy answered it or will (pending write-behind value, or a read-through load).
     */
    public boolean onGetMiss(
        final ClientSession session, final long correlationId, final DirectBuffer buffer, final int keyOffset,
        final int keyLength)
    {
        if (answerFromPending(session, correlationId, buffer, keyOffset, keyLength))
        {
            return true;
        }
        if (!ctx.readThrough())
        {
            return false;
        }
        if (leader && null != session)
        {
            final byte[] key = copy(buffer, keyOffset, keyLength);
            final ByteKey k = new ByteKey(key);
            final long nowNs = System.nanoTime();
            final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.loadTimeoutMs());
            Flight flight = activeFlights.get(k);
            if (null != flight && nowNs - flight.startNs > timeoutNs)
            {
                // a load older than the timeout (slow, or its outcome lost): start another rather than wait forever
                activeFlights.remove(k);
                flight = null;
            }
            if (null == flight)
            {
                flight = new Flight(key, position, nowNs);
                if (publisher.isFull() || !agent.submit(DataStoreTask.load(key, position, ctx.loadedTtlMs())))
                {
                    error(session, correlationId, GetRequestDecoder.TEMPLATE_ID, ErrorCode.DATASTORE_UNAVAILABLE,
                        "read-through: too many database calls in flight");
                    return true;
                }
                counters.loads.incrementRelease();
                activeFlights.put(k, flight);
                flightsByStart.put(position, flight);
            }
            final long deadlineNs = nowNs + timeoutNs;
            flight.waiters.add(new long[]{session.id(), correlationId, deadlineNs});
            nextDeadlineNs = Math.min(nextDeadlineNs, deadlineNs);
        }
        return true;
    }

    /**
     * A miss inside a multi-get: the pending write-behind value of the key, if any, into {@code value}.
     *
     * @return whether {@code value} now holds a value.
     */
    public boolean readPending(final DirectBuffer buffer, final int keyOffset, final int keyLength,
        final UnsafeBuffer value)
    {
        if (DataStorePolicyContext.WritePolicy.WRITE_BEHIND != ctx.writePolicy() || 0 == pending.size())
        {
            return false;
        }
        final PendingWrites.Entry entry = pending.get(copy(buffer, keyOffset, keyLength));
        if (null == entry || null == entry.value())
        {
            return false;
        }
        value.wrap(entry.value());
        return true;
    }

    /**
     * A write about to be applied (value length -1: a delete; conditional: put-if-absent, replace or
     * compare-and-set).
     *
     * @return true if the policy took it over (answered an error, or will answer after the database committed);
     * false if the handler should apply it as usual.
     */
    public boolean beforeWrite(
        final ClientSession session,
        final long clientId,
        final long correlationId,
        final int templateId,
        final long ttlMs,
        final boolean conditional,
        final DirectBuffer buffer,
        final int keyOffset,
        final int keyLength,
        final int valueOffset,
        final int valueLength)
    {
        switch (ctx.writePolicy())
        {
            case WRITE_BEHIND:
                if (!pending.hasRoomFor(copy(buffer, keyOffset, keyLength), Math.max(0, valueLength)))
                {
                    counters.rejected.incrementRelease();
                    error(session, correlationId, templateId, ErrorCode.WRITE_BEHIND_FULL, "write-behind: " +
                        pending.size() + " writes (" + pending.bytes() + " bytes) wait for the database; limit " +
                        pending.maxEntries() + " entries / " + pending.maxBytes() + " bytes; retry later");
                    return true;
                }
                return false;
            case WRITE_THROUGH:
                if (conditional)
                {
                    error(session, correlationId, templateId, ErrorCode.INVALID_ARGUMENT,
                        "write-through supports plain puts and deletes, not conditional writes");
                    return true;
                }
                if (leader && null != session)
                {
                    final DataStoreTask task = DataStoreTask.write(copy(buffer, keyOffset, keyLength),
                        valueLength < 0 ? null : copy(buffer, valueOffset, valueLength), position,
                        databaseVersion(mapEpoch.getAsLong(), position), ttlMs, clientId, correlationId,
                        session.id());
                    if (publisher.isFull() || !agent.submit(task))
                    {
                        error(session, correlationId, templateId, ErrorCode.DATASTORE_UNAVAILABLE,
                            "write-through: too many database writes in flight");
                    }
                }
                return true;
            default:
                return false;
        }
    }

    /**
     * A write the handler applied (value length -1: a delete, applied whether or not the store had the key).
     */
    public void afterWrite(
        final DirectBuffer buffer, final int keyOffset, final int keyLength, final int valueOffset,
        final int valueLength)
    {
        final byte[] key = copy(buffer, keyOffset, keyLength);
        onWritten(key);
        if (DataStorePolicyContext.WritePolicy.WRITE_BEHIND == ctx.writePolicy())
        {
            final int result = pending.add(key, valueLength < 0 ? null : copy(buffer, valueOffset, valueLength),
                databaseVersion(mapEpoch.getAsLong(), position), timestampMs);
            if (PendingWrites.COALESCED == result)
            {
                counters.coalesced.incrementRelease();
            }
        }
    }

    /**
     * A delete the handler applied, or an invalidation (which drops the cached copy only: the database keeps the
     * key, and a pending write-behind write of it is still flushed).
     */
    public void afterDelete(
        final DirectBuffer buffer, final int keyOffset, final int keyLength, final boolean invalidation)
    {
        if (invalidation)
        {
            onWritten(copy(buffer, keyOffset, keyLength));
            return;
        }
        afterWrite(buffer, keyOffset, keyLength, 0, -1);
    }

    private void onWritten(final byte[] key)
    {
        writeVersions.recordWrite(key, position);
        if (leader)
        {
            activeFlights.remove(new ByteKey(key));
        }
    }

    private boolean answerFromPending(
        final ClientSession session, final long correlationId, final DirectBuffer buffer, final int keyOffset,
        final int keyLength)
    {
        if (DataStorePolicyContext.WritePolicy.WRITE_BEHIND != ctx.writePolicy() || 0 == pending.size())
        {
            return false;
        }
        final PendingWrites.Entry entry = pending.get(copy(buffer, keyOffset, keyLength));
        if (null == entry)
        {
            return false;
        }
        answerGet(session, correlationId, entry.value());
        return true;
    }

    // ---------------------------------------------------------------- outcomes, applied from the log

    /**
     * A message of the log; applies it if it is a datastore outcome (from whichever session sent it: outcomes are
     * truths about the database, checked against the log, so a repeated one, or one a former leader sent, is
     * harmless). A malformed one is ignored alike on every member.
     *
     * @return whether it was one.
     */
    public boolean onOutcome(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return false;
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        if (MessageHeaderDecoder.SCHEMA_ID != headerDecoder.schemaId() || !isOutcome(templateId))
        {
            return false;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int bodyLength = length - MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        try
        {
            switch (templateId)
            {
                case DatastoreLoadResultDecoder.TEMPLATE_ID:
                    loadResultDecoder.wrap(buffer, body, blockLength, version);
                    if (loadResultDecoder.sbeDecodedLength() <= bodyLength)
                    {
                        applyLoadResult();
                    }
                    break;
                case DatastoreWriteCommittedDecoder.TEMPLATE_ID:
                    committedDecoder.wrap(buffer, body, blockLength, version);
                    if (committedDecoder.sbeDecodedLength() <= bodyLength)
                    {
                        applyCommitted();
                    }
                    break;
                case DatastoreFlushedDecoder.TEMPLATE_ID:
                    flushedDecoder.wrap(buffer, body, blockLength, version);
                    if (flushedDecoder.sbeDecodedLength() <= bodyLength)
                    {
                        flushedDecoder.wrap(buffer, body, blockLength, version);
                        applyFlushed();
                    }
                    break;
                case DatastoreInvalidateDecoder.TEMPLATE_ID:
                    invalidateDecoder.wrap(buffer, body, blockLength, version);
                    if (invalidateDecoder.sbeDecodedLength() <= bodyLength)
                    {
                        applyInvalidate();
                    }
                    break;
                default:
                    // DatastoreTick: nothing to apply; the log callback that follows answers what is owed
                    break;
            }
        }
        catch (final IndexOutOfBoundsException ex)
        {
            return true;
        }
        if (leader)
        {
            final long confirmed = publisher.confirm(buffer, offset, length);
            if (confirmed > 0 && null != currentFlush && confirmed == flushNumber)
            {
                flushInFlight = false;
                currentFlush = null;
            }
        }
        return true;
    }

    private static boolean isOutcome(final int templateId)
    {
        return (templateId >= DatastoreLoadResultDecoder.TEMPLATE_ID &&
            templateId <= DatastoreInvalidateDecoder.TEMPLATE_ID) || DatastoreTickDecoder.TEMPLATE_ID == templateId;
    }

    private void applyLoadResult()
    {
        final long startPosition = loadResultDecoder.startPosition();
        final boolean found = BooleanType.TRUE == loadResultDecoder.found();
        final long ttlMs = loadResultDecoder.ttlMs();
        final byte[] key = new byte[loadResultDecoder.keyLength()];
        loadResultDecoder.getKey(key, 0, key.length);
        final byte[] value = new byte[loadResultDecoder.valueLength()];
        loadResultDecoder.getValue(value, 0, value.length);
        final boolean overtaken = writeVersions.writtenAfter(key, startPosition);
        // a load that lands after its partition froze or left is answered but not cached: a group holds no entry of
        // a partition it does not own, and a frozen one's last batch is gone
        if (found && !overtaken && partitions.admitDeferredWrite(null, 0, 0, value(key), 0, key.length))
        {
            store.put(value(key), 0, key.length, new UnsafeBuffer(value), 0, value.length, ttlMs, FerriteStore.PUT);
            partitions.onDeferredWrite(value(key), 0, key.length, ttlMs);
        }
        else if (overtaken)
        {
            counters.overtaken.incrementRelease();
        }
        final Flight flight = leader ? flightsByStart.remove(startPosition) : null;
        if (null != flight)
        {
            activeFlights.remove(new ByteKey(key), flight);
            byte[] answer = found ? value : null;
            if (overtaken)
            {
                answer = store.getView(value(key), 0, key.length, view) ? copy(view, 0, view.capacity()) : answer;
            }
            for (final long[] waiter : flight.waiters)
            {
                answerGet(cluster.getClientSession(waiter[0]), waiter[1], answer);
            }
        }
    }

    private void applyCommitted()
    {
        final long clientId = committedDecoder.clientId();
        final long correlationId = committedDecoder.correlationId();
        final long sessionId = committedDecoder.clusterSessionId();
        final long ttlMs = committedDecoder.ttlMs();
        final boolean tombstone = BooleanType.TRUE == committedDecoder.tombstone();
        final byte[] key = new byte[committedDecoder.keyLength()];
        committedDecoder.getKey(key, 0, key.length);
        final byte[] value = new byte[committedDecoder.valueLength()];
        committedDecoder.getValue(value, 0, value.length);
        final ClientSession session = leader ? cluster.getClientSession(sessionId) : null;
        if (writeVersions.writtenAfter(key, committedDecoder.version()))
        {
            // a repeated or late commit: the database has it (version-guarded), a newer write owns the cache entry
            recorder.record(clientId, correlationId, tombstone ? 0 : FerriteStore.STORED);
            return;
        }
        if (!partitions.admitDeferredWrite(session, correlationId, tombstone ? DeleteRequestDecoder.TEMPLATE_ID :
            PutRequestDecoder.TEMPLATE_ID, value(key), 0, key.length))
        {
            // the partition froze for its cut-over (or left) while the database committed: applied here, the write
            // would miss the last batch; not applied and not recorded, the client resends it to the owner, which
            // writes it through again (the database keeps the newer version)
            counters.redirected.incrementRelease();
            onWritten(key);
            return;
        }
        if (tombstone)
        {
            final boolean deleted = store.delete(value(key), 0, key.length);
            partitions.onDeferredWrite(value(key), 0, key.length, 0);
            recorder.record(clientId, correlationId, deleted ? 1 : 0);
            onWritten(key);
            if (null != session)
            {
                send(session, responses.delete(out, 0, correlationId, deleted));
            }
            return;
        }
        final int result = store.put(value(key), 0, key.length, new UnsafeBuffer(value), 0, value.length, ttlMs,
            FerriteStore.PUT);
        onWritten(key);
        if (FerriteStore.STORED != result)
        {
            // the database has it but this store cannot hold it: answer stored (the write is durable), drop any copy
            store.delete(value(key), 0, key.length);
        }
        partitions.onDeferredWrite(value(key), 0, key.length, ttlMs);
        recorder.record(clientId, correlationId, FerriteStore.STORED);
        if (null != session)
        {
            send(session, responses.put(out, 0, correlationId, true));
        }
    }

    private void applyFlushed()
    {
        final DatastoreFlushedDecoder.RecordsDecoder records = flushedDecoder.records();
        while (records.hasNext())
        {
            records.next();
            final long version = records.version();
            final byte[] key = new byte[records.keyLength()];
            records.getKey(key, 0, key.length);
            pending.acknowledge(key, version);
        }
    }

    private void applyInvalidate()
    {
        final byte[] key = new byte[invalidateDecoder.keyLength()];
        invalidateDecoder.getKey(key, 0, key.length);
        store.delete(new UnsafeBuffer(key), 0, key.length);
        partitions.onDeferredWrite(new UnsafeBuffer(key), 0, key.length, 0);
        onWritten(key);
        if (leader && !afterInvalidate.isEmpty())
        {
            final Iterator<OwedError> it = afterInvalidate.iterator();
            while (it.hasNext())
            {
                final OwedError owed = it.next();
                if (java.util.Arrays.equals(owed.key(), key))
                {
                    it.remove();
                    owedErrors.addLast(owed);
                }
            }
        }
    }

    // ---------------------------------------------------------------- leader duty cycle

    /**
     * On the service thread between log messages ({@code doBackgroundWork}): on the leader, turn finished database
     * calls into outcomes and send them, start the next write-behind flush, ask for a log callback when callers are
     * owed an answer; refresh the counters.
     */
    public int doWork(final long nowNs)
    {
        int work = 0;
        DataStoreTask task;
        if (leader)
        {
            while (null != (task = agent.poll()))
            {
                onTaskDone(task, nowNs);
                work++;
            }
            work += startFlush(nowNs);
            if ((!owedErrors.isEmpty() || !failedFlights.isEmpty() || nowNs - nextDeadlineNs >= 0) &&
                nowNs - lastTickNs > TICK_INTERVAL_NS)
            {
                lastTickNs = nowNs;
                final int length = MessageHeaderEncoder.ENCODED_LENGTH + tickEncoder
                    .wrapAndApplyHeader(message, 0, headerEncoder)
                    .sequence(++ticks)
                    .encodedLength();
                publisher.enqueueOnce(message, length);
            }
            work += publisher.doWork(nowNs);
        }
        else
        {
            while (null != agent.poll())
            {
                // a call made while this member led: the leader now in charge redoes it
                work++;
            }
        }
        counters.update(pending, System.currentTimeMillis());
        counters.flushInFlight.setRelease(flushInFlight ? 1 : 0);
        counters.agentOutstanding.setRelease(agent.outstanding());
        counters.outcomeBacklog.setRelease(publisher.backlog());
        counters.outcomeResends.setRelease(publisher.resends());
        return work;
    }

    /**
     * At the end of every log callback (where a service may answer its clients): on the leader, answer the callers
     * owed an error and the read-through waiters whose load failed or timed out.
     */
    public void onLogCallback()
    {
        if (!leader)
        {
            return;
        }
        OwedError owed;
        while (null != (owed = owedErrors.pollFirst()))
        {
            error(cluster.getClientSession(owed.sessionId()), owed.correlationId(), owed.templateId(), owed.code(),
                owed.text());
        }
        if (!failedFlights.isEmpty())
        {
            for (final Flight flight : failedFlights)
            {
                flightsByStart.remove(flight.startPosition);
                for (final long[] waiter : flight.waiters)
                {
                    error(cluster.getClientSession(waiter[0]), waiter[1], GetRequestDecoder.TEMPLATE_ID,
                        flight.failure, flight.failureText);
                }
            }
            failedFlights.clear();
        }
        expireWaiters(System.nanoTime());
    }

    private void onTaskDone(final DataStoreTask task, final long nowNs)
    {
        switch (task.type)
        {
            case DataStoreTask.LOAD:
                if (null != task.failure)
                {
                    counters.loadFailures.incrementRelease();
                    final Flight flight = flightsByStart.get(task.version);
                    if (null != flight && null == flight.failure)
                    {
                        activeFlights.remove(new ByteKey(flight.key), flight);
                        flight.failure = code(task.failure);
                        flight.failureText = "read-through load failed: " + task.failure.getMessage();
                        failedFlights.add(flight);
                    }
                    return;
                }
                final boolean found = null != task.loaded;
                final int length = MessageHeaderEncoder.ENCODED_LENGTH + loadResultEncoder
                    .wrapAndApplyHeader(message, 0, headerEncoder)
                    .startPosition(task.version)
                    .found(found ? BooleanType.TRUE : BooleanType.FALSE)
                    .ttlMs(task.ttlMs)
                    .putKey(task.key, 0, task.key.length)
                    .putValue(found ? task.loaded : new byte[0], 0, found ? task.loaded.length : 0)
                    .encodedLength();
                publisher.enqueue(message, length, 0);
                return;
            case DataStoreTask.WRITE:
                if (null != task.failure)
                {
                    counters.writeFailures.incrementRelease();
                    final String text = "write-through: the database did not commit: " + task.failure.getMessage();
                    if (DataStoreException.Reason.REFUSED == task.failure.reason())
                    {
                        owedErrors.addLast(new OwedError(task.clusterSessionId, task.correlationId, 0,
                            code(task.failure), text, null));
                        return;
                    }
                    // the database may have it: drop the cached copy first, then answer the error
                    afterInvalidate.add(new OwedError(task.clusterSessionId, task.correlationId, 0,
                        code(task.failure), text, task.key));
                    final int len = MessageHeaderEncoder.ENCODED_LENGTH + invalidateEncoder
                        .wrapAndApplyHeader(message, 0, headerEncoder)
                        .putKey(task.key, 0, task.key.length)
                        .encodedLength();
                    publisher.enqueue(message, len, 0);
                    return;
                }
                counters.written.incrementRelease();
                final boolean tombstone = null == task.value;
                final int committed = MessageHeaderEncoder.ENCODED_LENGTH + committedEncoder
                    .wrapAndApplyHeader(message, 0, headerEncoder)
                    .clientId(task.clientId)
                    .correlationId(task.correlationId)
                    .clusterSessionId(task.clusterSessionId)
                    .version(task.version)
                    .ttlMs(task.ttlMs)
                    .tombstone(tombstone ? BooleanType.TRUE : BooleanType.FALSE)
                    .putKey(task.key, 0, task.key.length)
                    .putValue(tombstone ? new byte[0] : task.value, 0, tombstone ? 0 : task.value.length)
                    .encodedLength();
                publisher.enqueue(message, committed, 0);
                return;
            default:
                onFlushDone(task, nowNs);
        }
    }

    private void onFlushDone(final DataStoreTask task, final long nowNs)
    {
        final boolean current = task == currentFlush;
        if (null != task.failure)
        {
            counters.flushFailures.incrementRelease();
            if (current)
            {
                flushInFlight = false;
                currentFlush = null;
                backoffMs = Math.min(ctx.retryMaxMs(), 0 == backoffMs ? 10 : backoffMs * 2);
                nextFlushNs = nowNs + TimeUnit.MILLISECONDS.toNanos(backoffMs);
            }
            return;
        }
        backoffMs = 0;
        counters.flushed.getAndAddRelease(task.records.size());
        counters.flushBatches.incrementRelease();
        final DatastoreFlushedEncoder.RecordsEncoder records = flushedEncoder
            .wrapAndApplyHeader(message, 0, headerEncoder)
            .recordsCount(task.records.size());
        for (final DataStoreRecord record : task.records)
        {
            records.next().version(record.version()).putKey(record.key(), 0, record.key().length);
        }
        // an acknowledgement of an earlier (redone) flush is still true and still sent; only the current one's
        // application lets the next flush start
        publisher.enqueue(message, MessageHeaderEncoder.ENCODED_LENGTH + flushedEncoder.encodedLength(),
            current ? flushNumber : 0);
        if (current)
        {
            flushDoneNs = nowNs;
        }
    }

    private int startFlush(final long nowNs)
    {
        if (flushInFlight && (null == currentFlush ||
            (flushDoneNs != 0 && nowNs - flushDoneNs > FLUSH_ACK_STALL_NS) ||
            (0 == flushDoneNs && nowNs - flushSubmittedNs > FLUSH_STALL_NS)))
        {
            // the flush's acknowledgement never came back through the log: flush again; the database's version
            // guard makes a repeated flush harmless
            flushInFlight = false;
            currentFlush = null;
            counters.flushRedone.incrementRelease();
        }
        if (DataStorePolicyContext.WritePolicy.WRITE_BEHIND != ctx.writePolicy() || flushInFlight ||
            0 == pending.size() || nowNs - nextFlushNs < 0 || publisher.isFull())
        {
            return 0;
        }
        final List<DataStoreRecord> batch = pending.oldest(ctx.batchSize(),
            System.currentTimeMillis() - ctx.writeDelayMs());
        if (batch.isEmpty())
        {
            return 0;
        }
        final DataStoreTask task = DataStoreTask.flush(batch);
        if (!agent.submit(task))
        {
            return 0;
        }
        currentFlush = task;
        flushNumber++;
        flushInFlight = true;
        flushSubmittedNs = nowNs;
        flushDoneNs = 0;
        return 1;
    }

    private int expireWaiters(final long nowNs)
    {
        if (nowNs - nextDeadlineNs < 0 || flightsByStart.isEmpty())
        {
            if (flightsByStart.isEmpty())
            {
                nextDeadlineNs = Long.MAX_VALUE;
            }
            return 0;
        }
        int expired = 0;
        long next = Long.MAX_VALUE;
        final long timeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.loadTimeoutMs());
        final Iterator<Flight> flights = flightsByStart.values().iterator();
        while (flights.hasNext())
        {
            final Flight flight = flights.next();
            final Iterator<long[]> it = flight.waiters.iterator();
            while (it.hasNext())
            {
                final long[] waiter = it.next();
                if (nowNs - waiter[2] >= 0)
                {
                    it.remove();
                    expired++;
                    counters.loadFailures.incrementRelease();
                    error(cluster.getClientSession(waiter[0]), waiter[1], GetRequestDecoder.TEMPLATE_ID,
                        ErrorCode.DATASTORE_TIMEOUT, "read-through load took longer than " + ctx.loadTimeoutMs() +
                        " ms");
                }
                else
                {
                    next = Math.min(next, waiter[2]);
                }
            }
            if (flight.waiters.isEmpty() && nowNs - flight.startNs > timeoutNs && activeFlights.get(
                new ByteKey(flight.key)) != flight)
            {
                // nobody waits and a newer load replaced it: a late result still caches (if not overtaken)
                flights.remove();
            }
        }
        nextDeadlineNs = next;
        return expired;
    }

    // ---------------------------------------------------------------- helpers

    private static ErrorCode code(final DataStoreException ex)
    {
        switch (ex.reason())
        {
            case TIMEOUT:
                return ErrorCode.DATASTORE_TIMEOUT;
            case REFUSED:
                return ErrorCode.DATASTORE_REFUSED;
            default:
                return ErrorCode.DATASTORE_UNAVAILABLE;
        }
    }

    private void answerGet(final ClientSession session, final long correlationId, final byte[] value)
    {
        if (null == session)
        {
            return;
        }
        if (null == value)
        {
            send(session, responses.get(out, 0, correlationId, null, 0, 0));
        }
        else
        {
            send(session, responses.get(out, 0, correlationId, new UnsafeBuffer(value), 0, value.length));
        }
    }

    private void error(
        final ClientSession session, final long correlationId, final int templateId, final ErrorCode code,
        final String text)
    {
        if (null != session)
        {
            send(session, responses.error(out, 0, correlationId, templateId, code, text));
        }
    }

    private void send(final ClientSession session, final int length)
    {
        for (int i = 0; i < OFFER_ATTEMPTS; i++)
        {
            final long result = session.offer(out, 0, length);
            if (result > 0 || io.aeron.Publication.CLOSED == result ||
                io.aeron.Publication.NOT_CONNECTED == result || io.aeron.Publication.MAX_POSITION_EXCEEDED == result)
            {
                return;
            }
            Thread.onSpinWait();
        }
    }

    private static UnsafeBuffer value(final byte[] bytes)
    {
        return new UnsafeBuffer(bytes);
    }

    private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    // ---------------------------------------------------------------- state for snapshots and status

    public PendingWrites pending()
    {
        return pending;
    }

    WriteVersions writeVersions()
    {
        return writeVersions;
    }

    public DataStorePolicyContext context()
    {
        return ctx;
    }

    public DataStoreCounters counters()
    {
        return counters;
    }

    /**
     * Stop the agent thread and close the database pool.
     */
    public void close()
    {
        CloseHelper.quietClose(publisher);
        CloseHelper.quietClose(runner);
        counters.close();
    }
}
