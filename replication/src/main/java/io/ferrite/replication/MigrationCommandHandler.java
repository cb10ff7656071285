package io.ferrite.replication;

import io.aeron.cluster.service.ClientSession;
import io.ferrite.codec.PartitionHash;
import io.ferrite.codec.RequestDecoder;
import io.ferrite.codec.ResponseEncoders;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.MapAssignRequestDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MigrationAckEncoder;
import io.ferrite.codec.sbe.MigrationAction;
import io.ferrite.codec.sbe.MigrationBatchEncoder;
import io.ferrite.codec.sbe.MigrationControlRequestDecoder;
import io.ferrite.codec.sbe.MigrationDrainRequestDecoder;
import io.ferrite.codec.sbe.MigrationIngestRequestDecoder;
import io.ferrite.codec.sbe.MigrationOutcomesEncoder;
import io.ferrite.codec.sbe.MigrationOutcomesIngestRequestDecoder;
import io.ferrite.codec.sbe.MigrationOutcomesRequestDecoder;
import io.ferrite.codec.sbe.MoveState;
import io.ferrite.codec.sbe.PartitionMapRequestDecoder;
import io.ferrite.codec.sbe.PartitionMapResponseEncoder;
import io.ferrite.codec.sbe.PlanProgressRequestDecoder;
import io.ferrite.codec.sbe.PlanStatusRequestDecoder;
import io.ferrite.codec.sbe.PlanStatusResponseEncoder;
import io.ferrite.codec.sbe.PlanSubmitRequestDecoder;
import io.ferrite.engine.FerriteStore;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Applies the partition-map and migration commands (template ids 50..65) that reach a group through its Raft log: map
 * queries, the steps of a move (prepare, begin, drain, ingest, freeze, hand over the write outcomes, own, release,
 * abort) and, on group 0, map assignments and the rebalance plan. Every step checks the partition's state and is
 * idempotent when repeated, so a copier that resends after a failover, or a new CLI resuming a dead one's move, cannot
 * apply a step twice or out of order; a step that does not fit the state is refused with {@code MOVE_REJECTED} and
 * changes nothing.
 * <p>
 * Deterministic: it sees only the log's bytes, the store and the cluster's time. The engine keeps no index by
 * partition: a move's keys are collected by a scan of the store that advances a slice per step of the move
 * ({@link PartitionKeyScan}: the start, each drain, the freeze, a snapshot), and only dropping a partition restored
 * from a snapshot, or a target's partial copy, scans the store at once.
 * <p>
 * <b>Write outcomes.</b> The source's deduplication outcomes of a frozen partition are read page by page ({@code
 * MigrationOutcomesRequest}) and added to the incoming target's windows ({@code MigrationOutcomesIngestRequest}, in log
 * order, so on every member alike) before the target owns the partition: a write the source applied whose answer was
 * lost is answered by the new owner with the source's outcome when the client resends it there. <b>Note:</b> not
 * thread-safe; service thread.
 */
final class MigrationCommandHandler
{
    /** Most entries a drain batch may carry (an SBE group holds at most 65,535). */
    static final int MAX_BATCH_ENTRIES = 4096;
    /** Most write outcomes a page may carry beyond its first client's (20 bytes each). */
    static final int MAX_OUTCOME_ENTRIES = 16 * RequestDeduplicator.WINDOW;
    /** Bytes of one outcome in a page (client id, correlation id, result). */
    static final int OUTCOME_BYTES = 20;

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PartitionMapRequestDecoder mapRequest = new PartitionMapRequestDecoder();
    private final MigrationControlRequestDecoder control = new MigrationControlRequestDecoder();
    private final MigrationDrainRequestDecoder drain = new MigrationDrainRequestDecoder();
    private final MigrationIngestRequestDecoder ingest = new MigrationIngestRequestDecoder();
    private final MigrationOutcomesRequestDecoder outcomesRequest = new MigrationOutcomesRequestDecoder();
    private final MigrationOutcomesIngestRequestDecoder outcomesIngest = new MigrationOutcomesIngestRequestDecoder();
    private final MigrationOutcomesEncoder outcomes = new MigrationOutcomesEncoder();
    private final long[] outcomeIds = new long[RequestDeduplicator.WINDOW];
    private final int[] outcomeResults = new int[RequestDeduplicator.WINDOW];
    private final MapAssignRequestDecoder assign = new MapAssignRequestDecoder();
    private final PlanSubmitRequestDecoder planSubmit = new PlanSubmitRequestDecoder();
    private final PlanProgressRequestDecoder planProgress = new PlanProgressRequestDecoder();
    private final PlanStatusRequestDecoder planStatus = new PlanStatusRequestDecoder();
    private final PartitionMapResponseEncoder mapResponse = new PartitionMapResponseEncoder();
    private final MigrationAckEncoder ack = new MigrationAckEncoder();
    private final MigrationBatchEncoder batch = new MigrationBatchEncoder();
    private final PlanStatusResponseEncoder statusResponse = new PlanStatusResponseEncoder();
    private final ResponseEncoders responses = new ResponseEncoders();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(64 * 1024);
    private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer value = new UnsafeBuffer(0, 0);
    private final PartitionTable table;
    private final MovePlan plan;
    private final RequestDeduplicator deduplicator;
    private final int maxResponseLength;
    private FerriteStore store;
    private SessionResponder responder;
    private int outcomeCount;

    MigrationCommandHandler(
        final PartitionTable table, final MovePlan plan, final RequestDeduplicator deduplicator,
        final int maxResponseLength)
    {
        this.table = table;
        this.plan = plan;
        this.deduplicator = deduplicator;
        this.maxResponseLength = maxResponseLength;
    }

    void store(final FerriteStore store, final SessionResponder responder)
    {
        this.store = store;
        this.responder = responder;
    }

    /**
     * True if {@code templateId} is one of this handler's.
     */
    static boolean handles(final int templateId)
    {
        return templateId >= PartitionMapRequestDecoder.TEMPLATE_ID &&
            templateId <= MigrationOutcomesIngestRequestDecoder.TEMPLATE_ID;
    }

    void onMessage(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        header.wrap(buffer, offset);
        final int templateId = header.templateId();
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = header.blockLength();
        final int version = header.version();
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID || body + blockLength > offset + length)
        {
            // answered with the frame's correlation id when it is long enough to hold one, as every other refusal
            error(session, RequestDecoder.correlationIdOf(buffer, offset, length), templateId,
                ErrorCode.MALFORMED_MESSAGE, "malformed migration command");
            return;
        }
        if (!table.isPartitioned())
        {
            error(session, buffer.getLong(body + 8, java.nio.ByteOrder.LITTLE_ENDIAN), templateId,
                ErrorCode.NOT_PARTITIONED, "group " + table.group() + " is not part of a partitioned cluster");
            return;
        }
        try
        {
            switch (templateId)
            {
                case PartitionMapRequestDecoder.TEMPLATE_ID:
                    mapRequest.wrap(buffer, body, blockLength, version);
                    onMapRequest(session, mapRequest.correlationId());
                    break;
                case MigrationControlRequestDecoder.TEMPLATE_ID:
                    control.wrap(buffer, body, blockLength, version);
                    onControl(session);
                    break;
                case MigrationDrainRequestDecoder.TEMPLATE_ID:
                    drain.wrap(buffer, body, blockLength, version);
                    onDrain(session);
                    break;
                case MigrationIngestRequestDecoder.TEMPLATE_ID:
                    ingest.wrap(buffer, body, blockLength, version);
                    onIngest(session, offset + length);
                    break;
                case MapAssignRequestDecoder.TEMPLATE_ID:
                    assign.wrap(buffer, body, blockLength, version);
                    onAssign(session);
                    break;
                case PlanSubmitRequestDecoder.TEMPLATE_ID:
                    planSubmit.wrap(buffer, body, blockLength, version);
                    onPlanSubmit(session);
                    break;
                case PlanProgressRequestDecoder.TEMPLATE_ID:
                    planProgress.wrap(buffer, body, blockLength, version);
                    onPlanProgress(session);
                    break;
                case PlanStatusRequestDecoder.TEMPLATE_ID:
                    planStatus.wrap(buffer, body, blockLength, version);
                    sendStatus(session, planStatus.correlationId());
                    break;
                case MigrationOutcomesRequestDecoder.TEMPLATE_ID:
                    outcomesRequest.wrap(buffer, body, blockLength, version);
                    onOutcomesRequest(session);
                    break;
                case MigrationOutcomesIngestRequestDecoder.TEMPLATE_ID:
                    outcomesIngest.wrap(buffer, body, blockLength, version);
                    onOutcomesIngest(session);
                    break;
                default:
                    error(session, -1, templateId, ErrorCode.UNKNOWN_TEMPLATE, "template id " + templateId);
                    break;
            }
        }
        catch (final IndexOutOfBoundsException | IllegalStateException ex)
        {
            error(session, -1, templateId, ErrorCode.MALFORMED_MESSAGE, "malformed: " + ex.getMessage());
        }
    }

    private void onMapRequest(final ClientSession session, final long correlationId)
    {
        final int count = table.partitionCount();
        final PartitionMapResponseEncoder.OwnersEncoder owners = mapResponse
            .wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .mapEpoch(table.mapEpoch())
            .group(table.group())
            .ownersCount(count);
        for (int p = 0; p < count; p++)
        {
            owners.next().owner(table.owner(p));
        }
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + mapResponse.encodedLength());
    }

    private void onControl(final ClientSession session)
    {
        final long correlationId = control.correlationId();
        final int p = control.partition();
        final MigrationAction action = control.action();
        final int other = control.group();
        final long epoch = control.mapEpoch();
        if (!table.isValidPartition(p) || !table.isValidGroup(other) || other == table.group())
        {
            reject(session, correlationId, control.sbeTemplateId(), "partition " + p + " or group " + other +
                " is out of range (or the group is this one)");
            return;
        }
        final byte state = table.state(p);
        long count = 0;
        switch (action)
        {
            case PREPARE_TARGET:
                if (PartitionTable.NOT_OWNED != state && PartitionTable.INCOMING != state)
                {
                    rejectState(session, correlationId, p, state, action);
                    return;
                }
                // a partition this group does not own holds no entries (writes and loads of it are refused or
                // not applied), so only a partial copy from an interrupted attempt needs the scan
                count = PartitionTable.INCOMING == state ? purge(p) : 0;
                table.state(p, PartitionTable.INCOMING);
                table.ingestSequence(p, 0);
                break;
            case BEGIN_SOURCE:
                if (PartitionTable.OWNED != state && PartitionTable.OUTGOING != state &&
                    PartitionTable.FROZEN != state)
                {
                    rejectState(session, correlationId, p, state, action);
                    return;
                }
                count = begin(p);
                table.state(p, PartitionTable.OUTGOING);
                break;
            case FREEZE_SOURCE:
                if (PartitionTable.OUTGOING != state && PartitionTable.FROZEN != state)
                {
                    rejectState(session, correlationId, p, state, action);
                    return;
                }
                // from here on nothing of the partition is written: the scan's rest is all it can still hold
                PartitionKeyScan.finish(store, table.partitionCount(), p, table.moving(p));
                table.state(p, PartitionTable.FROZEN);
                count = table.moving(p).queuedCount();
                break;
            case OWN_TARGET:
                if (PartitionTable.INCOMING == state)
                {
                    table.state(p, PartitionTable.OWNED);
                    table.owner(p, table.group(), epoch);
                }
                else if (PartitionTable.OWNED != state)
                {
                    rejectState(session, correlationId, p, state, action);
                    return;
                }
                break;
            case RELEASE_SOURCE:
                if (PartitionTable.FROZEN == state)
                {
                    count = drop(p);
                    table.stopMoving(p);
                    table.state(p, PartitionTable.NOT_OWNED);
                    table.owner(p, other, epoch);
                }
                else if (PartitionTable.NOT_OWNED != state || table.owner(p) != other)
                {
                    rejectState(session, correlationId, p, state, action);
                    return;
                }
                break;
            case ABORT_SOURCE:
                if (PartitionTable.OUTGOING == state || PartitionTable.FROZEN == state)
                {
                    table.stopMoving(p);
                    table.state(p, PartitionTable.OWNED);
                }
                else if (PartitionTable.OWNED != state)
                {
                    rejectState(session, correlationId, p, state, action);
                    return;
                }
                break;
            case ABORT_TARGET:
                if (PartitionTable.INCOMING == state)
                {
                    count = purge(p);
                    table.state(p, PartitionTable.NOT_OWNED);
                }
                else if (PartitionTable.NOT_OWNED != state)
                {
                    rejectState(session, correlationId, p, state, action);
                    return;
                }
                break;
            default:
                reject(session, correlationId, control.sbeTemplateId(), "unknown migration action");
                return;
        }
        sendAck(session, correlationId, p, table.mapEpoch(), count);
    }

    private void onDrain(final ClientSession session)
    {
        final long correlationId = drain.correlationId();
        final int p = drain.partition();
        final long sequence = drain.sequence();
        final MovingPartition moving = table.isValidPartition(p) ? table.moving(p) : null;
        if (null == moving)
        {
            reject(session, correlationId, drain.sbeTemplateId(), "partition " + p + " is not being moved from group " +
                table.group());
            return;
        }
        if (sequence == moving.sequence() + 1)
        {
            final int maxEntries = Math.max(1, Math.min(MAX_BATCH_ENTRIES, drain.maxEntries()));
            final long maxBytes = Math.max(1, Math.min(maxResponseLength / 2, drain.maxBytes()));
            PartitionKeyScan.advance(
                store, table.partitionCount(), p, moving, maxEntries, PartitionKeyScan.SLICE_RECORDS);
            moving.takeBatch(sequence, maxEntries, maxBytes, this::sizeOf);
        }
        else if (sequence != moving.sequence())
        {
            reject(session, correlationId, drain.sbeTemplateId(), "drain of partition " + p + " is at batch " +
                moving.sequence() + ", asked for " + sequence);
            return;
        }
        final int size = moving.batchSize();
        final MigrationBatchEncoder.EntriesEncoder entries = batch
            .wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .partition(p)
            .sequence(sequence)
            .remaining(PartitionKeyScan.remaining(store, moving))
            .entriesCount(size);
        for (int i = 0; i < size; i++)
        {
            final byte[] k = moving.batchKey(i).bytes();
            key.wrap(k);
            final boolean present = store.peekView(key, 0, k.length, value);
            entries.next().expireAt(moving.batchExpiry(i)).present(present ? BooleanType.TRUE : BooleanType.FALSE);
            entries.putKey(k, 0, k.length);
            entries.putValue(value, 0, present ? value.capacity() : 0);
        }
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + batch.encodedLength());
    }

    private void onIngest(final ClientSession session, final int frameEnd)
    {
        final long correlationId = ingest.correlationId();
        final int p = ingest.partition();
        final long sequence = ingest.sequence();
        if (!isIncoming(session, correlationId, ingest.sbeTemplateId(), p))
        {
            return;
        }
        long applied = 0;
        if (sequence > table.ingestSequence(p))
        {
            final MigrationIngestRequestDecoder.EntriesDecoder entries = ingest.entries();
            while (entries.hasNext())
            {
                entries.next();
                final long expireAt = entries.expireAt();
                final boolean present = BooleanType.TRUE == entries.present();
                if (PartitionGuard.wrapKeyAt(ingest.buffer(), ingest.limit(), frameEnd, key) < 0)
                {
                    throw new IllegalStateException("ingest key runs past the frame");
                }
                entries.skipKey();
                if (PartitionGuard.wrapKeyAt(ingest.buffer(), ingest.limit(), frameEnd, value) < 0)
                {
                    throw new IllegalStateException("ingest value runs past the frame");
                }
                entries.skipValue();
                if (key.capacity() == 0 || table.partitionOf(key, 0, key.capacity()) != p)
                {
                    continue;
                }
                if (present)
                {
                    store.restore(key, 0, key.capacity(), value, 0, value.capacity(), expireAt);
                }
                else
                {
                    store.delete(key, 0, key.capacity());
                }
                applied++;
            }
            table.ingestSequence(p, sequence);
        }
        sendAck(session, correlationId, p, table.mapEpoch(), applied);
    }

    /**
     * Source: a page of the frozen partition's write outcomes (nothing of it is applied here any more, so the pages
     * read one after the other miss none). Changes nothing.
     */
    private void onOutcomesRequest(final ClientSession session)
    {
        final long correlationId = outcomesRequest.correlationId();
        final int p = outcomesRequest.partition();
        if (!table.isValidPartition(p) || PartitionTable.FROZEN != table.state(p))
        {
            reject(session, correlationId, outcomesRequest.sbeTemplateId(), "the write outcomes of partition " + p +
                " are handed over only while group " + table.group() + " holds it frozen" +
                (table.isValidPartition(p) ? " (it is " + PartitionTable.stateName(table.state(p)) + ")" : ""));
            return;
        }
        final int maxEntries = Math.max(1, Math.min(Math.min(MAX_OUTCOME_ENTRIES, outcomesRequest.maxEntries()),
            (maxResponseLength / 2) / OUTCOME_BYTES));
        final long fromClientId = outcomesRequest.fromClientId();
        final MigrationOutcomesEncoder.OutcomesEncoder entries = outcomes
            .wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .partition(p)
            .nextClientId(Long.MIN_VALUE)
            .done(BooleanType.TRUE)
            .outcomesCount(countOutcomes(p, fromClientId, maxEntries));
        final long nextClientId = deduplicator.exportPage(p, fromClientId, maxEntries,
            (clientId, outcomeCorrelationId, result) -> entries.next()
                .outcomeClientId(clientId).outcomeCorrelationId(outcomeCorrelationId).result(result));
        outcomes.nextClientId(nextClientId).done(Long.MIN_VALUE == nextClientId ? BooleanType.TRUE : BooleanType.FALSE);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + outcomes.encodedLength());
    }

    private int countOutcomes(final int p, final long fromClientId, final int maxEntries)
    {
        outcomeCount = 0;
        deduplicator.exportPage(p, fromClientId, maxEntries, (clientId, correlationId, result) -> outcomeCount++);
        return outcomeCount;
    }

    /**
     * Target: add a page of the source's outcomes of an incoming partition to the deduplication windows, each run of
     * one client's outcomes merged at once. Repeating a page changes nothing.
     */
    private void onOutcomesIngest(final ClientSession session)
    {
        final long correlationId = outcomesIngest.correlationId();
        final int p = outcomesIngest.partition();
        if (!isIncoming(session, correlationId, outcomesIngest.sbeTemplateId(), p))
        {
            return;
        }
        long imported = 0;
        int n = 0;
        long runClientId = 0;
        final MigrationOutcomesIngestRequestDecoder.OutcomesDecoder entries = outcomesIngest.outcomes();
        while (entries.hasNext())
        {
            entries.next();
            final long clientId = entries.outcomeClientId();
            if (n > 0 && (clientId != runClientId || n == outcomeIds.length))
            {
                imported += deduplicator.importOutcomes(runClientId, outcomeIds, outcomeResults, n, p);
                n = 0;
            }
            runClientId = clientId;
            outcomeIds[n] = entries.outcomeCorrelationId();
            outcomeResults[n] = entries.result();
            n++;
        }
        if (n > 0)
        {
            imported += deduplicator.importOutcomes(runClientId, outcomeIds, outcomeResults, n, p);
        }
        sendAck(session, correlationId, p, table.mapEpoch(), imported);
    }

    private void onAssign(final ClientSession session)
    {
        final long correlationId = assign.correlationId();
        final int p = assign.partition();
        final int from = assign.fromGroup();
        final int to = assign.toGroup();
        if (0 != table.group())
        {
            reject(session, correlationId, assign.sbeTemplateId(), "the partition map is kept by group 0, not " +
                table.group());
            return;
        }
        if (!table.isValidPartition(p) || !table.isValidGroup(to))
        {
            reject(session, correlationId, assign.sbeTemplateId(), "partition " + p + " or group " + to +
                " out of range");
            return;
        }
        final MovePlan.Move move = plan.runningMoveOf(p);
        if (table.owner(p) == from && from != to)
        {
            final long epoch = table.mapEpoch() + 1;
            table.owner(p, to, epoch);
            if (null != move && move.toGroup == to)
            {
                move.state = MoveState.CUTOVER;
                move.mapEpoch = epoch;
            }
            sendAck(session, correlationId, p, epoch, 0);
        }
        else if (table.owner(p) == to && null != move && MoveState.CUTOVER == move.state && move.toGroup == to)
        {
            sendAck(session, correlationId, p, move.mapEpoch, 0);
        }
        else
        {
            reject(session, correlationId, assign.sbeTemplateId(), "partition " + p + " belongs to group " +
                table.owner(p) + ", not " + from);
        }
    }

    private void onPlanSubmit(final ClientSession session)
    {
        final long correlationId = planSubmit.correlationId();
        if (0 != table.group())
        {
            reject(session, correlationId, planSubmit.sbeTemplateId(), "plans are kept by group 0");
            return;
        }
        final MovePlan.Move running = plan.running();
        if (null != running)
        {
            reject(session, correlationId, planSubmit.sbeTemplateId(), "a move is already running: plan " +
                plan.planId() + ", partition " + running.partition + " from group " + running.fromGroup + " to " +
                running.toGroup + " (resume or cancel it first)");
            return;
        }
        final List<MovePlan.Move> moves = new ArrayList<>();
        final boolean[] seen = new boolean[table.partitionCount()];
        for (final PlanSubmitRequestDecoder.MovesDecoder m : planSubmit.moves())
        {
            final int p = m.partition();
            final int from = m.fromGroup();
            final int to = m.toGroup();
            final String problem = !table.isValidPartition(p) ? "no partition " + p + " (there are " +
                table.partitionCount() + ")" :
                !table.isValidGroup(to) ? "no group " + to + " (there are " + table.groupCount() + ")" :
                table.owner(p) != from ? "partition " + p + " belongs to group " + table.owner(p) + ", not " + from :
                from == to ? "partition " + p + " already belongs to group " + to :
                seen[p] ? "partition " + p + " is moved twice" : null;
            if (null != problem)
            {
                reject(session, correlationId, planSubmit.sbeTemplateId(), problem);
                return;
            }
            seen[p] = true;
            moves.add(new MovePlan.Move(p, from, to));
        }
        plan.replace(plan.planId() + 1, moves);
        sendStatus(session, correlationId);
    }

    private void onPlanProgress(final ClientSession session)
    {
        final long correlationId = planProgress.correlationId();
        final int index = planProgress.move();
        if (0 != table.group() || planProgress.planId() != plan.planId() || index >= plan.moves().size() ||
            index < -1)
        {
            reject(session, correlationId, planProgress.sbeTemplateId(), "no move " + index + " in plan " +
                planProgress.planId() + " (the current plan is " + plan.planId() + ")");
            return;
        }
        final MoveState state = planProgress.state();
        for (int i = 0; i < plan.moves().size(); i++)
        {
            final MovePlan.Move move = plan.moves().get(i);
            if (i == index || (-1 == index && MoveState.DONE != move.state && MoveState.CANCELLED != move.state))
            {
                if (MoveState.DONE == move.state || (MoveState.CUTOVER == move.state && MoveState.DONE != state))
                {
                    continue;
                }
                move.state = state;
                move.entries = Math.max(move.entries, planProgress.entries());
                move.bytes = Math.max(move.bytes, planProgress.bytes());
                if (planProgress.mapEpoch() > 0)
                {
                    move.mapEpoch = planProgress.mapEpoch();
                }
            }
        }
        sendAck(session, correlationId, -1, table.mapEpoch(), 0);
    }

    private void sendStatus(final ClientSession session, final long correlationId)
    {
        final List<MovePlan.Move> moves = plan.moves();
        final PlanStatusResponseEncoder.MovesEncoder encoder = statusResponse
            .wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .planId(plan.planId())
            .movesCount(moves.size());
        for (final MovePlan.Move move : moves)
        {
            encoder.next().partition(move.partition).fromGroup(move.fromGroup).toGroup(move.toGroup)
                .state(move.state).entries(move.entries).bytes(move.bytes).mapEpoch(move.mapEpoch);
        }
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + statusResponse.encodedLength());
    }

    /**
     * Start queueing every live key of partition {@code p} for copying, in the store's entry order: the first slice
     * of the scan now, the rest with the drains.
     *
     * @return keys queued plus records still to scan (exactly the partition's keys on a store the first slice covers).
     */
    private long begin(final int p)
    {
        final MovingPartition moving = table.startMoving(p);
        moving.trackMembers();
        moving.startScan();
        PartitionKeyScan.advance(
            store, table.partitionCount(), p, moving, Integer.MAX_VALUE, PartitionKeyScan.SLICE_RECORDS);
        return PartitionKeyScan.remaining(store, moving);
    }

    /**
     * Finish the key scans of every partition being moved from here, so a snapshot holds their whole queues (every
     * member takes its snapshot at the same log position, so all finish them at the same point).
     */
    void finishScans()
    {
        for (int p = 0, n = table.partitionCount(); p < n; p++)
        {
            final MovingPartition moving = table.moving(p);
            if (null != moving)
            {
                PartitionKeyScan.finish(store, n, p, moving);
            }
        }
    }

    /**
     * Delete a frozen partition's entries at its source: by the keys its move queued when it tracked them (every key
     * the partition can hold), by a scan of the store otherwise (a move restored from a snapshot).
     *
     * @return entries deleted (the same either way).
     */
    private long drop(final int p)
    {
        final MovingPartition moving = table.moving(p);
        final Set<KeyBytes> members = null == moving ? null : moving.members();
        if (null == members)
        {
            return purge(p);
        }
        long deleted = 0;
        for (final KeyBytes k : members)
        {
            key.wrap(k.bytes());
            deleted += store.delete(key, 0, k.length()) ? 1 : 0;
        }
        return deleted;
    }

    /**
     * Delete every entry of partition {@code p} from the store.
     */
    private long purge(final int p)
    {
        final List<KeyBytes> keys = new ArrayList<>();
        final int partitions = table.partitionCount();
        store.forEach((buffer, keyOffset, keyLength, valueOffset, valueLength, expireAt) ->
        {
            if (PartitionHash.partition(buffer, keyOffset, keyLength, partitions) == p)
            {
                keys.add(KeyBytes.copyOf(buffer, keyOffset, keyLength));
            }
        });
        long deleted = 0;
        for (final KeyBytes k : keys)
        {
            key.wrap(k.bytes());
            deleted += store.delete(key, 0, k.length()) ? 1 : 0;
        }
        return deleted;
    }

    private long sizeOf(final KeyBytes k)
    {
        key.wrap(k.bytes());
        return k.length() + 16 + (store.peekView(key, 0, k.length(), value) ? value.capacity() : 0);
    }

    private void sendAck(
        final ClientSession session, final long correlationId, final int partition, final long epoch, final long count)
    {
        ack.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .partition(partition)
            .mapEpoch(epoch)
            .count(count);
        send(session, MessageHeaderEncoder.ENCODED_LENGTH + ack.encodedLength());
    }

    /**
     * Whether partition {@code p} is being received here; if not, the request is refused.
     */
    private boolean isIncoming(
        final ClientSession session, final long correlationId, final int templateId, final int p)
    {
        if (table.isValidPartition(p) && PartitionTable.INCOMING == table.state(p))
        {
            return true;
        }
        reject(session, correlationId, templateId, "partition " + p + " is not being received by group " +
            table.group() + (table.isValidPartition(p) ? " (it is " + PartitionTable.stateName(table.state(p)) + ")" :
            ""));
        return false;
    }

    private void rejectState(
        final ClientSession session, final long correlationId, final int p, final byte state,
        final MigrationAction action)
    {
        reject(session, correlationId, MigrationControlRequestDecoder.TEMPLATE_ID, action + " of partition " + p +
            " on group " + table.group() + " does not fit its state: " + PartitionTable.stateName(state));
    }

    private void reject(final ClientSession session, final long correlationId, final int templateId, final String text)
    {
        error(session, correlationId, templateId, ErrorCode.MOVE_REJECTED, text);
    }

    private void error(
        final ClientSession session, final long correlationId, final int templateId, final ErrorCode code,
        final String message)
    {
        send(session, responses.error(out, 0, correlationId, templateId, code, message));
    }

    private void send(final ClientSession session, final int length)
    {
        if (null != session)
        {
            responder.send(session, out, length);
        }
    }
}
