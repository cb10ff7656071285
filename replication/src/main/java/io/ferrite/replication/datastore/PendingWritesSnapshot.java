package io.ferrite.replication.datastore;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageControlledFragmentAssembler;
import io.aeron.Publication;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.ferrite.codec.sbe.BooleanType;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.SnapshotPendingEndDecoder;
import io.ferrite.codec.sbe.SnapshotPendingEndEncoder;
import io.ferrite.codec.sbe.SnapshotPendingWriteDecoder;
import io.ferrite.codec.sbe.SnapshotPendingWriteEncoder;
import io.ferrite.replication.SnapshotOffers;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.IdleStrategy;

/**
 * Writes the datastore policies' replicated state (the write-behind pending set, oldest first, and the read-through
 * write-version horizon) to a snapshot ahead of the store's own sections, and reads it back. The section is
 * {@code SnapshotPendingWrite}* then {@code SnapshotPendingEnd}; a snapshot without it (a group that ran no policy,
 * or an older version) leaves the state empty and the next section untouched.
 * <b>Note:</b> not thread-safe; service thread only.
 */
public final class PendingWritesSnapshot
{
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SnapshotPendingWriteEncoder writeEncoder = new SnapshotPendingWriteEncoder();
    private final SnapshotPendingEndEncoder endEncoder = new SnapshotPendingEndEncoder();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(64 * 1024);

    /**
     * Offer the policy's state; blocks the service thread until all is offered.
     *
     * @param logPosition the position the snapshot is taken at (loads begun before it count as overtaken).
     */
    public void take(
        final ExclusivePublication publication, final DataStorePolicy policy, final long logPosition,
        final IdleStrategy idle)
    {
        final PendingWrites pending = policy.pending();
        for (final PendingWrites.Entry entry : pending.entries())
        {
            final byte[] value = entry.value();
            final int length = MessageHeaderEncoder.ENCODED_LENGTH + writeEncoder
                .wrapAndApplyHeader(out, 0, headerEncoder)
                .version(entry.version())
                .dirtySinceMs(entry.dirtySinceMs())
                .tombstone(null == value ? BooleanType.TRUE : BooleanType.FALSE)
                .putKey(entry.key(), 0, entry.key().length)
                .putValue(null == value ? new byte[0] : value, 0, null == value ? 0 : value.length)
                .encodedLength();
            offer(publication, length, idle);
        }
        policy.writeVersions().reset(logPosition);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + endEncoder
            .wrapAndApplyHeader(out, 0, headerEncoder)
            .entries(pending.size())
            .writeVersionsSince(logPosition)
            .encodedLength();
        offer(publication, length, idle);
    }

    /**
     * Read the section if the snapshot has one (stops before the first message that is not part of it).
     *
     * @return entries restored, or -1 if the snapshot has no such section.
     * @throws IllegalStateException if the section is cut short or its count disagrees.
     */
    public static long load(final Image image, final DataStorePolicy policy, final IdleStrategy idle)
    {
        final Loader loader = new Loader(policy);
        final ImageControlledFragmentAssembler assembler = new ImageControlledFragmentAssembler(loader);
        idle.reset();
        while (!loader.done)
        {
            final int fragments = image.controlledPoll(assembler, 16);
            if (0 == fragments)
            {
                if (loader.done)
                {
                    break;
                }
                if (image.isClosed() || image.isEndOfStream())
                {
                    if (loader.restored > 0)
                    {
                        throw new IllegalStateException("snapshot ended inside the pending-writes section");
                    }
                    return -1;
                }
                idle.idle();
            }
        }
        return loader.absent ? -1 : loader.restored;
    }

    private void offer(final Publication publication, final int length, final IdleStrategy idle)
    {
        SnapshotOffers.offer(publication, out, 0, length, idle);
    }

    private static final class Loader implements ControlledFragmentHandler
    {
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final SnapshotPendingWriteDecoder write = new SnapshotPendingWriteDecoder();
        private final SnapshotPendingEndDecoder end = new SnapshotPendingEndDecoder();
        private final DataStorePolicy policy;
        private boolean done;
        private boolean absent;
        private long restored;

        Loader(final DataStorePolicy policy)
        {
            this.policy = policy;
        }

        public Action onFragment(final DirectBuffer buffer, final int offset, final int length,
            final io.aeron.logbuffer.Header fragmentHeader)
        {
            if (done)
            {
                return Action.ABORT;
            }
            header.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            switch (header.templateId())
            {
                case SnapshotPendingWriteDecoder.TEMPLATE_ID:
                    write.wrap(buffer, body, header.blockLength(), header.version());
                    final long version = write.version();
                    final long dirtySinceMs = write.dirtySinceMs();
                    final boolean tombstone = BooleanType.TRUE == write.tombstone();
                    final byte[] key = new byte[write.keyLength()];
                    write.getKey(key, 0, key.length);
                    final byte[] value = new byte[write.valueLength()];
                    write.getValue(value, 0, value.length);
                    policy.pending().restore(key, tombstone ? null : value, version, dirtySinceMs);
                    restored++;
                    return Action.CONTINUE;
                case SnapshotPendingEndDecoder.TEMPLATE_ID:
                    end.wrap(buffer, body, header.blockLength(), header.version());
                    if (end.entries() != restored)
                    {
                        throw new IllegalStateException("pending-writes section: " + restored +
                            " entries, end says " + end.entries());
                    }
                    policy.writeVersions().reset(end.writeVersionsSince());
                    done = true;
                    return Action.BREAK;
                default:
                    if (restored > 0)
                    {
                        throw new IllegalStateException("pending-writes section cut short by template " +
                            header.templateId());
                    }
                    absent = true;
                    done = true;
                    return Action.ABORT;
            }
        }
    }
}
