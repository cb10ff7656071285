package io.ferrite.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageControlledFragmentAssembler;
import io.aeron.Publication;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.PartitionKeysSnapshotDecoder;
import io.ferrite.codec.sbe.PartitionKeysSnapshotEncoder;
import io.ferrite.codec.sbe.PartitionSnapshotEndDecoder;
import io.ferrite.codec.sbe.PartitionSnapshotEndEncoder;
import io.ferrite.codec.sbe.PartitionStateSnapshotDecoder;
import io.ferrite.codec.sbe.PartitionStateSnapshotEncoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a group's partition state (ownership, map epoch, moves in progress with their queued keys, and on group 0
 * the rebalance plan) at the start of a snapshot, before the store's part, and reads it back. A snapshot taken
 * before partitioning existed starts with the store's part: the loader leaves it unread and keeps the state
 * the group was created with.
 * <pre>
 *   PartitionStateSnapshot (epoch, plan id, per partition: owner, state, sequences; plan moves)
 *   PartitionKeysSnapshot* (per moving partition: queued keys, then the batch in hand)
 *   PartitionSnapshotEnd
 * </pre>
 * <b>Note:</b> not thread-safe; service thread.
 */
final class PartitionStateSnapshot
{
    private static final int KEYS_PER_MESSAGE = 256;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PartitionStateSnapshotEncoder stateEncoder = new PartitionStateSnapshotEncoder();
    private final PartitionKeysSnapshotEncoder keysEncoder = new PartitionKeysSnapshotEncoder();
    private final PartitionSnapshotEndEncoder endEncoder = new PartitionSnapshotEndEncoder();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(128 * 1024);

    void take(
        final ExclusivePublication publication, final PartitionTable table, final MovePlan plan,
        final IdleStrategy idleStrategy)
    {
        if (!table.isPartitioned())
        {
            return;
        }
        final int count = table.partitionCount();
        final PartitionStateSnapshotEncoder.PartitionsEncoder partitions = stateEncoder
            .wrapAndApplyHeader(out, 0, headerEncoder)
            .mapEpoch(table.mapEpoch())
            .planId(plan.planId())
            .partitionsCount(count);
        for (int p = 0; p < count; p++)
        {
            final MovingPartition moving = table.moving(p);
            partitions.next().owner(table.owner(p)).localState(table.state(p))
                .drainSequence(null == moving ? 0 : moving.sequence()).ingestSequence(table.ingestSequence(p));
        }
        final List<MovePlan.Move> moves = plan.moves();
        final PartitionStateSnapshotEncoder.MovesEncoder movesEncoder = stateEncoder.movesCount(moves.size());
        for (final MovePlan.Move move : moves)
        {
            movesEncoder.next().partition(move.partition).fromGroup(move.fromGroup).toGroup(move.toGroup)
                .state(move.state).entries(move.entries).bytes(move.bytes).mapEpoch(move.mapEpoch);
        }
        offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + stateEncoder.encodedLength(), idleStrategy);
        for (int p = 0; p < count; p++)
        {
            final MovingPartition moving = table.moving(p);
            if (null == moving)
            {
                continue;
            }
            final List<KeyBytes> keys = new ArrayList<>();
            final List<Long> expiries = new ArrayList<>();
            for (final Map.Entry<KeyBytes, Long> e : moving.queued().entrySet())
            {
                keys.add(e.getKey());
                expiries.add(e.getValue());
            }
            writeKeys(publication, p, moving.sequence(), false, keys, expiries, idleStrategy);
            keys.clear();
            expiries.clear();
            for (int i = 0; i < moving.batchSize(); i++)
            {
                keys.add(moving.batchKey(i));
                expiries.add(moving.batchExpiry(i));
            }
            writeKeys(publication, p, moving.sequence(), true, keys, expiries, idleStrategy);
        }
        endEncoder.wrapAndApplyHeader(out, 0, headerEncoder).partitions(count);
        offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + endEncoder.encodedLength(), idleStrategy);
    }

    private void writeKeys(
        final ExclusivePublication publication, final int partition, final long sequence, final boolean inFlight,
        final List<KeyBytes> keys, final List<Long> expiries, final IdleStrategy idleStrategy)
    {
        int i = 0;
        do
        {
            final int n = Math.min(KEYS_PER_MESSAGE, keys.size() - i);
            final PartitionKeysSnapshotEncoder.KeysEncoder encoder = keysEncoder
                .wrapAndApplyHeader(out, 0, headerEncoder)
                .partition(partition)
                .inFlight(inFlight ? BooleanType.TRUE : BooleanType.FALSE)
                .sequence(sequence)
                .keysCount(n);
            for (int j = 0; j < n; j++)
            {
                final byte[] k = keys.get(i + j).bytes();
                encoder.next().expireAt(expiries.get(i + j)).putKey(k, 0, k.length);
            }
            offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + keysEncoder.encodedLength(), idleStrategy);
            i += n;
        }
        while (i < keys.size());
    }

    /**
     * Read the partition state at the head of {@code image} into {@code table} and {@code plan}; leaves the
     * image at the store's part.
     *
     * @return true if the snapshot had partition state.
     */
    static boolean load(
        final Image image, final PartitionTable table, final MovePlan plan, final IdleStrategy idleStrategy)
    {
        final Loader loader = new Loader(table, plan);
        final ImageControlledFragmentAssembler assembler = new ImageControlledFragmentAssembler(loader);
        idleStrategy.reset();
        while (!loader.done)
        {
            if (0 == image.controlledPoll(assembler, 1))
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    throw new IllegalStateException("snapshot ended inside its partition state");
                }
                idleStrategy.idle();
            }
        }
        return loader.found;
    }

    private void offer(final Publication publication, final int length, final IdleStrategy idleStrategy)
    {
        SnapshotOffers.offer(publication, out, 0, length, idleStrategy);
    }

    private static final class Loader implements ControlledFragmentHandler
    {
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final PartitionStateSnapshotDecoder state = new PartitionStateSnapshotDecoder();
        private final PartitionKeysSnapshotDecoder keys = new PartitionKeysSnapshotDecoder();
        private final PartitionSnapshotEndDecoder end = new PartitionSnapshotEndDecoder();
        private final PartitionTable table;
        private final MovePlan plan;
        private boolean done;
        private boolean found;

        Loader(final PartitionTable table, final MovePlan plan)
        {
            this.table = table;
            this.plan = plan;
        }

        public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header hdr)
        {
            header.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            switch (header.templateId())
            {
                case PartitionStateSnapshotDecoder.TEMPLATE_ID:
                    state.wrap(buffer, body, header.blockLength(), header.version());
                    onState();
                    found = true;
                    return Action.CONTINUE;
                case PartitionKeysSnapshotDecoder.TEMPLATE_ID:
                    keys.wrap(buffer, body, header.blockLength(), header.version());
                    onKeys();
                    return Action.CONTINUE;
                case PartitionSnapshotEndDecoder.TEMPLATE_ID:
                    end.wrap(buffer, body, header.blockLength(), header.version());
                    done = true;
                    return Action.BREAK;
                default:
                    // no partition state in this snapshot: leave the message for the store's loader
                    done = true;
                    return Action.ABORT;
            }
        }

        private void onState()
        {
            final PartitionStateSnapshotDecoder.PartitionsDecoder partitions = state.partitions();
            if (partitions.count() != table.partitionCount())
            {
                throw new IllegalStateException("snapshot has " + partitions.count() + " partitions, the cluster " +
                    table.partitionCount());
            }
            int p = 0;
            for (final PartitionStateSnapshotDecoder.PartitionsDecoder entry : partitions)
            {
                table.owner(p, entry.owner(), 0);
                table.state(p, (byte)entry.localState());
                table.ingestSequence(p, entry.ingestSequence());
                if (PartitionTable.OUTGOING == entry.localState() || PartitionTable.FROZEN == entry.localState())
                {
                    table.startMoving(p).sequence(entry.drainSequence());
                }
                p++;
            }
            table.mapEpoch(state.mapEpoch());
            final List<MovePlan.Move> moves = new ArrayList<>();
            for (final PartitionStateSnapshotDecoder.MovesDecoder m : state.moves())
            {
                final MovePlan.Move move = new MovePlan.Move(m.partition(), m.fromGroup(), m.toGroup());
                move.state = m.state();
                move.entries = m.entries();
                move.bytes = m.bytes();
                move.mapEpoch = m.mapEpoch();
                moves.add(move);
            }
            plan.replace(state.planId(), moves);
        }

        private void onKeys()
        {
            final MovingPartition moving = table.moving(keys.partition());
            if (null == moving)
            {
                throw new IllegalStateException("snapshot keys for partition " + keys.partition() +
                    ", which is not moving");
            }
            final boolean inFlight = BooleanType.TRUE == keys.inFlight();
            for (final PartitionKeysSnapshotDecoder.KeysDecoder k : keys.keys())
            {
                final long expireAt = k.expireAt();
                final byte[] bytes = new byte[k.keyLength()];
                k.getKey(bytes, 0, bytes.length);
                if (inFlight)
                {
                    moving.restoreBatchKey(new KeyBytes(bytes), expireAt);
                }
                else
                {
                    moving.queue(new KeyBytes(bytes), expireAt);
                }
            }
        }
    }
}
