package io.ferrite.replication;

import io.aeron.driver.MediaDriver;
import io.ferrite.client.EmbeddedDriver;
import io.ferrite.codec.sbe.MapAssignRequestEncoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MigrationAckDecoder;
import io.ferrite.codec.sbe.MigrationAction;
import io.ferrite.codec.sbe.MigrationBatchDecoder;
import io.ferrite.codec.sbe.MigrationControlRequestEncoder;
import io.ferrite.codec.sbe.MigrationDrainRequestEncoder;
import io.ferrite.codec.sbe.MigrationIngestRequestEncoder;
import io.ferrite.codec.sbe.MigrationOutcomesDecoder;
import io.ferrite.codec.sbe.MigrationOutcomesIngestRequestEncoder;
import io.ferrite.codec.sbe.MigrationOutcomesRequestEncoder;
import io.ferrite.codec.sbe.MoveState;
import io.ferrite.codec.sbe.PartitionMapRequestEncoder;
import io.ferrite.codec.sbe.PartitionMapResponseDecoder;
import io.ferrite.codec.sbe.PlanProgressRequestEncoder;
import io.ferrite.codec.sbe.PlanStatusRequestEncoder;
import io.ferrite.codec.sbe.PlanStatusResponseDecoder;
import io.ferrite.codec.sbe.PlanSubmitRequestEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The operator's connection to a partitioned cluster: reads the partition map and the rebalance plan from group 0,
 * records plans and progress there, and sends the steps of a move to the groups involved. Used by the
 * {@code ferrite} CLI and by {@link PartitionMover}; it runs outside every group's state machine.
 * <p>
 * <b>Note:</b> not thread-safe; one thread at a time. Owns an embedded media driver unless given an Aeron directory.
 */
public final class ClusterAdmin implements AutoCloseable
{
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final PartitionMapRequestEncoder mapRequest = new PartitionMapRequestEncoder();
    private final PartitionMapResponseDecoder mapResponse = new PartitionMapResponseDecoder();
    private final MigrationControlRequestEncoder control = new MigrationControlRequestEncoder();
    private final MigrationDrainRequestEncoder drain = new MigrationDrainRequestEncoder();
    private final MigrationIngestRequestEncoder ingest = new MigrationIngestRequestEncoder();
    private final MigrationBatchDecoder batch = new MigrationBatchDecoder();
    private final MigrationOutcomesRequestEncoder outcomesRequest = new MigrationOutcomesRequestEncoder();
    private final MigrationOutcomesDecoder outcomes = new MigrationOutcomesDecoder();
    private final MigrationOutcomesIngestRequestEncoder outcomesIngest = new MigrationOutcomesIngestRequestEncoder();
    private final MigrationAckDecoder ack = new MigrationAckDecoder();
    private final MapAssignRequestEncoder assign = new MapAssignRequestEncoder();
    private final PlanSubmitRequestEncoder planSubmit = new PlanSubmitRequestEncoder();
    private final PlanProgressRequestEncoder planProgress = new PlanProgressRequestEncoder();
    private final PlanStatusRequestEncoder planStatus = new PlanStatusRequestEncoder();
    private final PlanStatusResponseDecoder statusResponse = new PlanStatusResponseDecoder();
    private final MediaDriver driver;
    private final GroupConnection[] groups;

    /**
     * @param ingressEndpoints per group, Aeron's {@code 0=host:port,1=host:port,...}.
     * @param aeronDirectoryName an external media driver, or null for an embedded one.
     * @param timeoutNs how long a step may wait for its group's leader.
     */
    public ClusterAdmin(final String[] ingressEndpoints, final String aeronDirectoryName, final long timeoutNs)
    {
        final long clientId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
        final String dir;
        if (null == aeronDirectoryName)
        {
            driver = EmbeddedDriver.launch(EmbeddedDriver.newDirName("admin"));
            dir = driver.aeronDirectoryName();
        }
        else
        {
            driver = null;
            dir = aeronDirectoryName;
        }
        groups = new GroupConnection[ingressEndpoints.length];
        for (int g = 0; g < groups.length; g++)
        {
            groups[g] = new GroupConnection(g, ingressEndpoints[g], dir, "127.0.0.1", timeoutNs,
                ReplicationConfiguration.termLength(), clientId);
        }
    }

    public int groupCount()
    {
        return groups.length;
    }

    /**
     * The authoritative partition map, from group 0.
     */
    public PartitionMap partitionMap()
    {
        return partitionMap(0);
    }

    /**
     * The partition map as {@code group} knows it (authoritative only from group 0).
     */
    public PartitionMap partitionMap(final int group)
    {
        final DirectBuffer answer = connection(group).request((buffer, clientId, correlationId) ->
            MessageHeaderEncoder.ENCODED_LENGTH + mapRequest.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).correlationId(correlationId).encodedLength());
        header.wrap(answer, 0);
        mapResponse.wrap(answer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        final long epoch = mapResponse.mapEpoch();
        final PartitionMapResponseDecoder.OwnersDecoder owners = mapResponse.owners();
        final int[] result = new int[owners.count()];
        int p = 0;
        for (final PartitionMapResponseDecoder.OwnersDecoder owner : owners)
        {
            result[p++] = owner.owner();
        }
        return new PartitionMap(epoch, groups.length, result);
    }

    public PlanStatus planStatus()
    {
        final DirectBuffer answer = connection(0).request((buffer, clientId, correlationId) ->
            MessageHeaderEncoder.ENCODED_LENGTH + planStatus.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).correlationId(correlationId).encodedLength());
        return decodeStatus(answer);
    }

    /**
     * Record {@code moves} as the new plan in group 0.
     *
     * @throws GroupRequestException if a move is still running, or a move is impossible (unknown group, a
     *                               partition not owned by its from-group).
     */
    public PlanStatus submitPlan(final List<PlannedMove> moves)
    {
        final DirectBuffer answer = connection(0).request((buffer, clientId, correlationId) ->
        {
            final PlanSubmitRequestEncoder.MovesEncoder encoder = planSubmit
                .wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).correlationId(correlationId)
                .movesCount(moves.size());
            for (final PlannedMove move : moves)
            {
                encoder.next().partition(move.partition()).fromGroup(move.fromGroup()).toGroup(move.toGroup());
            }
            return MessageHeaderEncoder.ENCODED_LENGTH + planSubmit.encodedLength();
        });
        return decodeStatus(answer);
    }

    /**
     * Record a move's state and progress in group 0 ({@code move} -1: every unfinished move but a cut-over one).
     */
    public void progress(
        final long planId, final int move, final MoveState state, final long entries, final long bytes,
        final long mapEpoch)
    {
        connection(0).request((buffer, clientId, correlationId) ->
            MessageHeaderEncoder.ENCODED_LENGTH + planProgress.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).correlationId(correlationId)
                .planId(planId).move(move).state(state).entries(entries).bytes(bytes).mapEpoch(mapEpoch)
                .encodedLength());
    }

    /**
     * Send one step of a move to {@code group}.
     *
     * @return the step's count (keys queued, entries dropped).
     */
    long control(
        final int group, final int partition, final MigrationAction action, final int otherGroup, final long epoch)
    {
        final DirectBuffer answer = connection(group).request((buffer, clientId, correlationId) ->
            MessageHeaderEncoder.ENCODED_LENGTH + control.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).correlationId(correlationId)
                .partition(partition).action(action).group(otherGroup).mapEpoch(epoch).encodedLength());
        return decodeAck(answer).count();
    }

    /**
     * Group 0: give {@code partition} to {@code toGroup}.
     *
     * @return the new map epoch.
     */
    long assign(final int partition, final int fromGroup, final int toGroup)
    {
        final DirectBuffer answer = connection(0).request((buffer, clientId, correlationId) ->
            MessageHeaderEncoder.ENCODED_LENGTH + assign.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).correlationId(correlationId)
                .partition(partition).fromGroup(fromGroup).toGroup(toGroup).encodedLength());
        return decodeAck(answer).mapEpoch();
    }

    /**
     * Take (or re-read) drain batch {@code sequence} of {@code partition} from the source and apply it to the target.
     *
     * @return the batch's result: entries, bytes and keys still queued at the source.
     */
    BatchResult copyBatch(
        final int source, final int target, final int partition, final long sequence, final int maxEntries,
        final int maxBytes)
    {
        final DirectBuffer answer = connection(source).request((buffer, clientId, correlationId) ->
            MessageHeaderEncoder.ENCODED_LENGTH + drain.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .clientId(clientId).correlationId(correlationId)
                .partition(partition).sequence(sequence).maxEntries(maxEntries).maxBytes(maxBytes).encodedLength());
        header.wrap(answer, 0);
        batch.wrap(answer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        final long remaining = batch.remaining();
        final int batchStart = batch.limit();
        final MigrationBatchDecoder.EntriesDecoder entries = batch.entries();
        final int count = entries.count();
        long bytes = 0;
        for (final MigrationBatchDecoder.EntriesDecoder e : entries)
        {
            bytes += e.keyLength() + 4;
            e.skipKey();
            bytes += e.valueLength() + 4;
            e.skipValue();
        }
        // the group's bytes (dimension header and entries) are the same in the batch and the ingest request
        final int groupBytes = batch.limit() - batchStart;
        final DirectBuffer batchBuffer = answer;
        if (count > 0 || 1 == sequence)
        {
            connection(target).request((buffer, clientId, correlationId) ->
            {
                ingest.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(clientId).correlationId(correlationId)
                    .partition(partition).sequence(sequence);
                final int start = MessageHeaderEncoder.ENCODED_LENGTH + ingest.sbeBlockLength();
                buffer.putBytes(start, batchBuffer, batchStart, groupBytes);
                return start + groupBytes;
            });
        }
        return new BatchResult(count, bytes, remaining);
    }

    /**
     * Hand the write outcomes of frozen {@code partition} from the source to the incoming target, page by page (up to
     * {@code maxEntries} outcomes each, at least one client's), so the target answers a write the source applied with
     * the source's outcome when a client resends it there. Repeating it is harmless.
     *
     * @return outcomes the target did not know before.
     */
    long copyOutcomes(final int source, final int target, final int partition, final int maxEntries)
    {
        long imported = 0;
        long from = Long.MIN_VALUE;
        while (true)
        {
            final long fromClientId = from;
            final DirectBuffer answer = connection(source).request((buffer, clientId, correlationId) ->
                MessageHeaderEncoder.ENCODED_LENGTH + outcomesRequest.wrapAndApplyHeader(buffer, 0, headerEncoder)
                    .clientId(clientId).correlationId(correlationId)
                    .partition(partition).fromClientId(fromClientId).maxEntries(maxEntries).encodedLength());
            header.wrap(answer, 0);
            outcomes.wrap(answer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
            final long next = outcomes.nextClientId();
            final boolean done = BooleanType.TRUE == outcomes.done();
            final int pageStart = outcomes.limit();
            final int count = outcomes.outcomes().count();
            // the group (dimension header and outcomes) has the same layout in the page and the ingest request
            final int pageBytes = MigrationOutcomesDecoder.OutcomesDecoder.sbeHeaderSize() +
                count * MigrationOutcomesDecoder.OutcomesDecoder.sbeBlockLength();
            if (count > 0)
            {
                imported += decodeAck(connection(target).request((buffer, clientId, correlationId) ->
                {
                    outcomesIngest.wrapAndApplyHeader(buffer, 0, headerEncoder)
                        .clientId(clientId).correlationId(correlationId).partition(partition);
                    final int start = MessageHeaderEncoder.ENCODED_LENGTH + outcomesIngest.sbeBlockLength();
                    buffer.putBytes(start, answer, pageStart, pageBytes);
                    return start + pageBytes;
                })).count();
            }
            if (done)
            {
                return imported;
            }
            from = next;
        }
    }

    /**
     * What one copied batch carried.
     *
     * @param entries   entries applied to the target (deletions included).
     * @param bytes     their key and value bytes.
     * @param remaining keys still queued at the source.
     */
    record BatchResult(int entries, long bytes, long remaining)
    {
    }

    /**
     * Keep every group's session alive while the caller waits (a throttled copy).
     */
    void keepAlive()
    {
        for (final GroupConnection connection : groups)
        {
            connection.keepAlive();
        }
    }

    private GroupConnection connection(final int group)
    {
        if (group < 0 || group >= groups.length)
        {
            throw new IllegalArgumentException("no group " + group + " (the cluster has " + groups.length + ")");
        }
        return groups[group];
    }

    private MigrationAckDecoder decodeAck(final DirectBuffer answer)
    {
        header.wrap(answer, 0);
        ack.wrap(answer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        return ack;
    }

    private PlanStatus decodeStatus(final DirectBuffer answer)
    {
        header.wrap(answer, 0);
        statusResponse.wrap(answer, MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(), header.version());
        final List<MoveStatus> moves = new ArrayList<>();
        int i = 0;
        for (final PlanStatusResponseDecoder.MovesDecoder m : statusResponse.moves())
        {
            moves.add(new MoveStatus(i++, m.partition(), m.fromGroup(), m.toGroup(), m.state().name(), m.entries(),
                m.bytes(), m.mapEpoch()));
        }
        return new PlanStatus(statusResponse.planId(), moves);
    }

    public void close()
    {
        for (final GroupConnection connection : groups)
        {
            CloseHelper.quietClose(connection);
        }
        CloseHelper.quietClose(driver);
    }
}
