package io.ferrite.replication;

import io.aeron.cluster.service.ClientSession;
import io.ferrite.codec.sbe.CompareAndSetRequestDecoder;
import io.ferrite.codec.sbe.DeleteRequestDecoder;
import io.ferrite.codec.sbe.ErrorCode;
import io.ferrite.codec.sbe.GetRequestDecoder;
import io.ferrite.codec.sbe.InvalidateRequestDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.MultiGetRequestDecoder;
import io.ferrite.codec.sbe.PartitionRedirectResponseEncoder;
import io.ferrite.codec.sbe.PutMode;
import io.ferrite.codec.sbe.PutRequestDecoder;
import io.ferrite.engine.FerriteStore;
import io.ferrite.replication.datastore.DataStorePolicy;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.function.LongSupplier;

/**
 * Stands in front of the command handler of a group in a partitioned cluster: a keyed request whose partition
 * this group does not serve is answered with a redirect ({@code PARTITION_MOVED} with the owner and map epoch, or
 * {@code PARTITION_MIGRATING} while the partition is frozen for its cut-over) and never reaches the store; a write
 * to a partition being moved away is applied and its key queued for copying again.
 * <p>
 * Only the key bytes are read here (no allocation on the path of an owned partition); a frame too malformed to
 * find its key is let through for the handler to reject, and so is a resent write this group already applied (it
 * is answered with its first outcome, never applied again). Writes the datastore applies later (a write-through
 * commit) ask it again when they land ({@link #admitDeferredWrite}) and are queued like a client's write.
 * <b>Note:</b> not thread-safe; service thread.
 */
final class PartitionGuard implements DataStorePolicy.Partitions
{
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final PutRequestDecoder putRequest = new PutRequestDecoder();
    private final CompareAndSetRequestDecoder casRequest = new CompareAndSetRequestDecoder();
    private final GetRequestDecoder getRequest = new GetRequestDecoder();
    private final PartitionRedirectResponseEncoder redirect = new PartitionRedirectResponseEncoder();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(256);
    private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer expected = new UnsafeBuffer(0, 0);
    private final PartitionTable table;
    private final RequestDeduplicator deduplicator;
    private final LongSupplier clusterTimeMs;
    private FerriteStore store;
    private SessionResponder responder;
    private long redirects;

    PartitionGuard(final PartitionTable table, final RequestDeduplicator deduplicator, final LongSupplier clusterTimeMs)
    {
        this.table = table;
        this.deduplicator = deduplicator;
        this.clusterTimeMs = clusterTimeMs;
    }

    void store(final FerriteStore store, final SessionResponder responder)
    {
        this.store = store;
        this.responder = responder;
    }

    long redirects()
    {
        return redirects;
    }

    /**
     * @return true if the request may go on to the handler; false if it was answered with a redirect.
     */
    boolean admit(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!table.isPartitioned() || length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return true;
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            return true;
        }
        final int templateId = header.templateId();
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = header.blockLength();
        final int end = offset + length;
        if (body + blockLength > end)
        {
            return true;
        }
        switch (templateId)
        {
            case GetRequestDecoder.TEMPLATE_ID:
                return admitRead(session, buffer, body, blockLength, end, templateId);
            case PutRequestDecoder.TEMPLATE_ID:
            case DeleteRequestDecoder.TEMPLATE_ID:
            case InvalidateRequestDecoder.TEMPLATE_ID:
            case CompareAndSetRequestDecoder.TEMPLATE_ID:
                return admitWrite(session, buffer, body, blockLength, end, templateId);
            case MultiGetRequestDecoder.TEMPLATE_ID:
                return admitMultiGet(session, buffer, body, blockLength, end);
            default:
                return true;
        }
    }

    private boolean admitRead(
        final ClientSession session, final DirectBuffer buffer, final int body, final int blockLength, final int end,
        final int templateId)
    {
        if (!wrapKey(buffer, body + blockLength, end, key) || 0 == key.capacity())
        {
            return true;
        }
        final int partition = table.partitionOf(key, 0, key.capacity());
        final byte state = table.state(partition);
        if (PartitionTable.OWNED == state || PartitionTable.OUTGOING == state)
        {
            return true;
        }
        getRequest.wrap(buffer, body, blockLength, header.version());
        answerRedirect(session, getRequest.correlationId(), templateId, partition, state);
        return false;
    }

    private boolean admitWrite(
        final ClientSession session, final DirectBuffer buffer, final int body, final int blockLength, final int end,
        final int templateId)
    {
        final int keyEnd = wrapKeyAt(buffer, body + blockLength, end, key);
        if (keyEnd < 0 || 0 == key.capacity())
        {
            return true;
        }
        final int partition = table.partitionOf(key, 0, key.capacity());
        final byte state = table.state(partition);
        if (PartitionTable.OWNED == state)
        {
            return true;
        }
        if (PartitionTable.OUTGOING == state)
        {
            queueWrite(buffer, body, blockLength, keyEnd, end, templateId, partition);
            return true;
        }
        // every request's fixed block starts with clientId then correlationId
        final long clientId = buffer.getLong(body, ByteOrder.LITTLE_ENDIAN);
        final long correlationId = buffer.getLong(body + 8, ByteOrder.LITTLE_ENDIAN);
        final int known = deduplicator.resultOf(clientId, correlationId);
        if (RequestDeduplicator.UNKNOWN != known && RequestDeduplicator.FORGOTTEN != known)
        {
            // a resent write this group applied before the partition left: the handler answers its first outcome
            // (one whose outcome this group forgot goes to the owner, which may hold it from the hand-over)
            return true;
        }
        answerRedirect(session, correlationId, templateId, partition, state);
        return false;
    }

    private boolean admitMultiGet(
        final ClientSession session, final DirectBuffer buffer, final int body, final int blockLength, final int end)
    {
        int position = body + blockLength;
        if (position + 4 > end)
        {
            return true;
        }
        final int elementBlock = buffer.getShort(position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int count = buffer.getShort(position + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        position += 4;
        for (int i = 0; i < count; i++)
        {
            position = wrapKeyAt(buffer, position + elementBlock, end, key);
            if (position < 0)
            {
                return true;
            }
            if (0 == key.capacity())
            {
                continue;
            }
            final int partition = table.partitionOf(key, 0, key.capacity());
            final byte state = table.state(partition);
            if (PartitionTable.OWNED != state && PartitionTable.OUTGOING != state)
            {
                answerRedirect(session, buffer.getLong(body + 8, ByteOrder.LITTLE_ENDIAN),
                    MultiGetRequestDecoder.TEMPLATE_ID, partition, state);
                return false;
            }
        }
        return true;
    }

    /**
     * Queue the key of a write to an outgoing partition, with the expiry its entry will have, if the write will
     * change the entry (decided as the store will decide it: the handler runs right after, on the same state).
     */
    private void queueWrite(
        final DirectBuffer buffer, final int body, final int blockLength, final int keyEnd, final int end,
        final int templateId, final int partition)
    {
        final MovingPartition moving = table.moving(partition);
        if (null == moving)
        {
            return;
        }
        final long now = clusterTimeMs.getAsLong();
        long expireAt = 0;
        boolean changes = true;
        if (PutRequestDecoder.TEMPLATE_ID == templateId)
        {
            putRequest.wrap(buffer, body, blockLength, header.version());
            expireAt = expiry(now, putRequest.ttlMs());
            final PutMode mode = putRequest.mode();
            if (PutMode.PUT_IF_ABSENT == mode)
            {
                changes = !store.peekView(key, 0, key.capacity(), view);
            }
            else if (PutMode.REPLACE == mode)
            {
                changes = store.peekView(key, 0, key.capacity(), view);
            }
        }
        else if (CompareAndSetRequestDecoder.TEMPLATE_ID == templateId)
        {
            casRequest.wrap(buffer, body, blockLength, header.version());
            expireAt = expiry(now, casRequest.ttlMs());
            changes = wrapKeyAt(buffer, keyEnd, end, expected) >= 0 &&
                store.peekView(key, 0, key.capacity(), view) && view.compareTo(expected) == 0;
        }
        if (changes)
        {
            moving.queue(KeyBytes.copyOf(key, 0, key.capacity()), expireAt);
        }
    }

    public boolean admitDeferredWrite(
        final ClientSession session, final long correlationId, final int templateId, final DirectBuffer key,
        final int keyOffset, final int keyLength)
    {
        if (!table.isPartitioned())
        {
            return true;
        }
        final int partition = table.partitionOf(key, keyOffset, keyLength);
        final byte state = table.state(partition);
        if (PartitionTable.OWNED == state || PartitionTable.OUTGOING == state)
        {
            return true;
        }
        if (null != session)
        {
            answerRedirect(session, correlationId, templateId, partition, state);
        }
        return false;
    }

    public void onDeferredWrite(final DirectBuffer key, final int keyOffset, final int keyLength, final long ttlMs)
    {
        if (!table.isPartitioned())
        {
            return;
        }
        final MovingPartition moving = table.moving(table.partitionOf(key, keyOffset, keyLength));
        if (null != moving)
        {
            moving.queue(KeyBytes.copyOf(key, keyOffset, keyLength), expiry(clusterTimeMs.getAsLong(), ttlMs));
        }
    }

    private static long expiry(final long now, final long ttlMs)
    {
        return ttlMs <= 0 ? 0 : (ttlMs > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + ttlMs);
    }

    private void answerRedirect(
        final ClientSession session, final long correlationId, final int templateId, final int partition,
        final byte state)
    {
        redirects++;
        final boolean frozen = PartitionTable.FROZEN == state;
        redirect.wrapAndApplyHeader(out, 0, headerEncoder)
            .correlationId(correlationId)
            .requestTemplateId(templateId)
            .code(frozen ? ErrorCode.PARTITION_MIGRATING : ErrorCode.PARTITION_MOVED)
            .partition(partition)
            .ownerGroup(frozen ? table.group() : table.owner(partition))
            .mapEpoch(table.mapEpoch());
        responder.send(session, out, MessageHeaderEncoder.ENCODED_LENGTH + redirect.encodedLength());
    }

    private static boolean wrapKey(final DirectBuffer buffer, final int offset, final int end, final UnsafeBuffer into)
    {
        return wrapKeyAt(buffer, offset, end, into) >= 0;
    }

    /**
     * Wrap the varData (uint32 length, bytes) at {@code offset}; -1 if it does not fit the frame.
     */
    static int wrapKeyAt(final DirectBuffer buffer, final int offset, final int end, final UnsafeBuffer into)
    {
        if (offset + 4 > end)
        {
            return -1;
        }
        final long length = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        if (offset + 4 + length > end)
        {
            return -1;
        }
        into.wrap(buffer, offset + 4, (int)length);
        return offset + 4 + (int)length;
    }
}
