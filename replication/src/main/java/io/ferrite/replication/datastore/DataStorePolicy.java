package io.ferrite.replication.datastore;

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
import io.ferrite.codec.sbe.DatastoreWriteCommittedDecoder;
import io.ferrite.codec.sbe.DatastoreWriteCommittedEncoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
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

/**
 * The datastore policies of one replica group (read-through, write-through, write-behind), hooked into the
 * group's command handler and kept deterministic: database I/O runs on a {@link DataStoreAgent} thread of the
 * leader only, and its outcomes come back as messages the leader sequences through the group's own log
 * ({@link Cluster#offer}), which every member applies alike.
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
    private static final int TIMER_ATTEMPTS = 10_000;
    private static final long FLUSH_STALL_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long TIMER_STALL_NS = TimeUnit.SECONDS.toNanos(1);
    /** Correlation id of the policy's cluster timer (other timers of the service use other ids). */
    public static final long TIMER_ID = 0x7E57_DA7A_0000_0001L;

    private final DataStorePolicyContext ctx;
    private final PendingWrites pending;
    private final WriteVersions writeVersions;
    private final DataStoreAgent agent;
    private final AgentRunner runner;
    private final DataStoreCounters counters;
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
    private final ResponseEncoders responses = new ResponseEncoders();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(4096);
    private final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(64 * 1024);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final HashMap<ByteKey, Flight> activeFlights = new HashMap<>();
    private final Long2ObjectHashMap<Flight> flightsByStart = new Long2ObjectHashMap<>();
    private final ArrayDeque<byte[]> outbox = new ArrayDeque<>();
    private Cluster cluster;
    private FerriteStore store;
    private WriteRecorder recorder;
    private boolean leader;
    private boolean flushInFlight;
    private boolean timerArmed;
    private long flushSubmittedNs;
    private long timerArmedNs;
    private long nextFlushNs;
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
        final ArrayList<long[]> waiters = new ArrayList<>(2);

        Flight(final byte[] key, final long startPosition)
        {
            this.key = key;
            this.startPosition = startPosition;
        }
    }

    /**
     * @param store the database; closed with this policy.
     */
    public DataStorePolicy(final DataStorePolicyContext ctx, final DataStore store, final int group)
    {
        this.ctx = ctx;
        this.pending = new PendingWrites(ctx.pendingMaxEntries(), ctx.pendingMaxBytes());
        this.writeVersions = new WriteVersions(ctx.maxTrackedWrites());
        this.agent = new DataStoreAgent(store);
        this.runner = new AgentRunner(new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(10),
            TimeUnit.MILLISECONDS.toNanos(1)), Throwable::printStackTrace, null, agent);
        this.counters = new DataStoreCounters(group);
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
        AgentRunner.startOnThread(runner);
    }

    public void onRoleChange(final Cluster.Role role)
    {
        if (leader == (Cluster.Role.LEADER == role))
        {
            return;
        }
        leader = Cluster.Role.LEADER == role;
        timerArmed = false;
        activeFlights.clear();
        flightsByStart.clear();
        outbox.clear();
        flushInFlight = false;
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
            Flight flight = activeFlights.get(k);
            if (null == flight)
            {
                flight = new Flight(key, position);
                if (!agent.submit(DataStoreTask.load(key, position, ctx.loadedTtlMs())))
                {
                    error(session, correlationId, GetRequestDecoder.TEMPLATE_ID, ErrorCode.DATASTORE_UNAVAILABLE,
                        "read-through: too many database calls in flight");
                    return true;
                }
                counters.loads.incrementRelease();
                activeFlights.put(k, flight);
                flightsByStart.put(position, flight);
            }
            flight.waiters.add(new long[]{session.id(), correlationId,
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.loadTimeoutMs())});
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
                        valueLength < 0 ? null : copy(buffer, valueOffset, valueLength), position, ttlMs, clientId,
                        correlationId, session.id());
                    if (!agent.submit(task))
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
                position, timestampMs);
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

    // ---------------------------------------------------------------- messages the leader sequenced

    /**
     * A message with no client session (one this group's leader offered); applies the policy messages.
     *
     * @return whether it was one of them.
     */
    public boolean onServiceMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return false;
        }
        headerDecoder.wrap(buffer, offset);
        final int templateId = headerDecoder.templateId();
        if (templateId < DatastoreLoadResultDecoder.TEMPLATE_ID || templateId > DatastoreInvalidateDecoder.TEMPLATE_ID)
        {
            return false;
        }
        if (!leader)
        {
            // Aeron numbers service messages per member and drops a new leader's offers whose number the log has
            // already seen; a follower offers each leader message it applies (dropped as already sequenced) so its
            // numbering keeps up and its own offers are sequenced when it leads.
            cluster.offer(buffer, offset, length);
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (templateId)
        {
            case DatastoreLoadResultDecoder.TEMPLATE_ID:
                loadResultDecoder.wrap(buffer, body, blockLength, version);
                applyLoadResult();
                return true;
            case DatastoreWriteCommittedDecoder.TEMPLATE_ID:
                committedDecoder.wrap(buffer, body, blockLength, version);
                applyCommitted();
                return true;
            case DatastoreFlushedDecoder.TEMPLATE_ID:
                flushedDecoder.wrap(buffer, body, blockLength, version);
                applyFlushed();
                return true;
            case DatastoreInvalidateDecoder.TEMPLATE_ID:
                invalidateDecoder.wrap(buffer, body, blockLength, version);
                final byte[] key = new byte[invalidateDecoder.keyLength()];
                invalidateDecoder.getKey(key, 0, key.length);
                store.delete(new UnsafeBuffer(key), 0, key.length);
                onWritten(key);
                return true;
            default:
                return false;
        }
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
        if (found && !overtaken)
        {
            store.put(value(key), 0, key.length, new UnsafeBuffer(value), 0, value.length, ttlMs, FerriteStore.PUT);
        }
        else if (overtaken)
        {
            counters.overtaken.incrementRelease();
        }
        final Flight flight = flightsByStart.remove(startPosition);
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
        if (tombstone)
        {
            final boolean deleted = store.delete(value(key), 0, key.length);
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
        flushInFlight = false;
    }

    // ---------------------------------------------------------------- leader duty cycle

    /**
     * On the service thread between log messages ({@code doBackgroundWork}, where Aeron forbids offers and timers):
     * start the next write-behind flush and refresh the counters. Outcomes are handed back by {@link #onLogCallback}.
     */
    public int doWork(final long nowNs)
    {
        int work = 0;
        if (leader)
        {
            work += startFlush(nowNs);
        }
        counters.update(pending, System.currentTimeMillis());
        counters.flushInFlight.setRelease(flushInFlight ? 1 : 0);
        counters.agentOutstanding.setRelease(agent.outstanding());
        counters.timerArmed.setRelease(timerArmed ? 1 : 0);
        return work;
    }

    /**
     * The policy's timer fired (it is armed on the leader while database work is outstanding).
     *
     * @return whether the timer was the policy's.
     */
    public boolean onTimerEvent(final long correlationId)
    {
        if (TIMER_ID != correlationId)
        {
            return false;
        }
        timerArmed = false;
        return true;
    }

    /**
     * At the end of every log callback (session message, timer, new leadership term), where offers and timers are
     * allowed: on the leader, sequence finished database calls through the log, answer timed-out waiters, and keep
     * the timer armed while work is outstanding so outcomes come back without client traffic.
     */
    public void onLogCallback()
    {
        if (!leader)
        {
            return;
        }
        drainOutbox();
        DataStoreTask task;
        while (null != (task = agent.poll()))
        {
            onTaskDone(task);
        }
        expireWaiters(System.nanoTime());
        final long nowNs = System.nanoTime();
        if (timerArmed && nowNs - timerArmedNs > TIMER_STALL_NS)
        {
            timerArmed = false;
        }
        if (!timerArmed && (agent.outstanding() > 0 || !outbox.isEmpty() || 0 != pending.size() ||
            !flightsByStart.isEmpty()))
        {
            armTimer();
            timerArmedNs = nowNs;
        }
    }

    /**
     * Schedule the policy's timer, retrying while the consensus module's queue is back-pressured: a timer that is
     * not armed would leave finished database calls waiting for the next client request.
     */
    private void armTimer()
    {
        final org.agrona.concurrent.IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        for (int i = 0; i < TIMER_ATTEMPTS && !timerArmed; i++)
        {
            timerArmed = cluster.scheduleTimer(TIMER_ID, cluster.time() + timerDelay());
            if (!timerArmed)
            {
                idle.idle();
            }
        }
        if (!timerArmed)
        {
            counters.timerFailures.incrementRelease();
        }
    }

    private long timerDelay()
    {
        final TimeUnit unit = cluster.timeUnit();
        return Math.max(1, (null == unit ? TimeUnit.MILLISECONDS : unit).convert(1, TimeUnit.MILLISECONDS));
    }

    private void onTaskDone(final DataStoreTask task)
    {
        switch (task.type)
        {
            case DataStoreTask.LOAD:
                if (null != task.failure)
                {
                    counters.loadFailures.incrementRelease();
                    final Flight flight = flightsByStart.remove(task.version);
                    if (null != flight)
                    {
                        activeFlights.remove(new ByteKey(flight.key), flight);
                        for (final long[] waiter : flight.waiters)
                        {
                            error(cluster.getClientSession(waiter[0]), waiter[1], GetRequestDecoder.TEMPLATE_ID,
                                code(task.failure), "read-through load failed: " + task.failure.getMessage());
                        }
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
                offerToLog(length);
                return;
            case DataStoreTask.WRITE:
                if (null != task.failure)
                {
                    counters.writeFailures.incrementRelease();
                    error(cluster.getClientSession(task.clusterSessionId), task.correlationId, 0, code(task.failure),
                        "write-through: the database did not commit: " + task.failure.getMessage());
                    if (DataStoreException.Reason.REFUSED != task.failure.reason())
                    {
                        final int len = MessageHeaderEncoder.ENCODED_LENGTH + invalidateEncoder
                            .wrapAndApplyHeader(message, 0, headerEncoder)
                            .putKey(task.key, 0, task.key.length)
                            .encodedLength();
                        offerToLog(len);
                    }
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
                offerToLog(committed);
                return;
            default:
                onFlushDone(task);
        }
    }

    private void onFlushDone(final DataStoreTask task)
    {
        if (null != task.failure)
        {
            counters.flushFailures.incrementRelease();
            flushInFlight = false;
            backoffMs = Math.min(ctx.retryMaxMs(), 0 == backoffMs ? 10 : backoffMs * 2);
            nextFlushNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
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
        offerToLog(MessageHeaderEncoder.ENCODED_LENGTH + flushedEncoder.encodedLength());
    }

    private int startFlush(final long nowNs)
    {
        if (flushInFlight && nowNs - flushSubmittedNs > FLUSH_STALL_NS)
        {
            // the flush's acknowledgement never came back through the log (lost in a leadership change): flush
            // again; the database's version guard makes a repeated flush harmless
            flushInFlight = false;
            counters.flushFailures.incrementRelease();
        }
        if (DataStorePolicyContext.WritePolicy.WRITE_BEHIND != ctx.writePolicy() || flushInFlight ||
            0 == pending.size() || nowNs - nextFlushNs < 0)
        {
            return 0;
        }
        final List<DataStoreRecord> batch = pending.oldest(ctx.batchSize(),
            System.currentTimeMillis() - ctx.writeDelayMs());
        if (batch.isEmpty() || !agent.submit(DataStoreTask.flush(batch)))
        {
            return 0;
        }
        flushInFlight = true;
        flushSubmittedNs = nowNs;
        return 1;
    }

    private int expireWaiters(final long nowNs)
    {
        if (flightsByStart.isEmpty())
        {
            return 0;
        }
        int expired = 0;
        for (final Flight flight : flightsByStart.values())
        {
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
            }
        }
        return expired;
    }

    private void offerToLog(final int length)
    {
        final byte[] copy = new byte[length];
        message.getBytes(0, copy);
        outbox.addLast(copy);
        drainOutbox();
    }

    private int drainOutbox()
    {
        int sent = 0;
        while (!outbox.isEmpty())
        {
            final byte[] next = outbox.peekFirst();
            final long result = cluster.offer(new UnsafeBuffer(next), 0, next.length);
            if (result < 0)
            {
                break;
            }
            outbox.pollFirst();
            sent++;
        }
        return sent;
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
        CloseHelper.quietClose(runner);
        counters.close();
    }
}
