package io.ferrite.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.Publication;
import io.aeron.logbuffer.FragmentHandler;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.SnapshotBeginDecoder;
import io.ferrite.codec.sbe.SnapshotBeginEncoder;
import io.ferrite.codec.sbe.SnapshotClientDecoder;
import io.ferrite.codec.sbe.SnapshotClientEncoder;
import io.ferrite.codec.sbe.SnapshotEndDecoder;
import io.ferrite.codec.sbe.SnapshotEndEncoder;
import io.ferrite.codec.sbe.SnapshotEntriesDecoder;
import io.ferrite.codec.sbe.SnapshotEntriesEncoder;
import io.ferrite.engine.FerriteStore;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * Writes a member's replicated state (store entries and the write deduplication windows) to a snapshot
 * publication, and reads it back on start.
 * <p>
 * A snapshot is {@code SnapshotBegin}, then {@code SnapshotEntries} messages each packing entries up to about
 * {@link #BATCH_BYTES} (one entry per message when it is larger), then one {@code SnapshotClient} per remembered
 * client, then {@code SnapshotEnd} with the counts, which loading checks. Entries keep their absolute expiry
 * (cluster time), so TTLs continue across a restart. Recency order is not kept: entries are re-inserted in
 * table order.
 */
final class StoreSnapshot
{
    static final int BATCH_BYTES = 60 * 1024;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SnapshotBeginEncoder beginEncoder = new SnapshotBeginEncoder();
    private final SnapshotEntriesEncoder entriesEncoder = new SnapshotEntriesEncoder();
    private final SnapshotClientEncoder clientEncoder = new SnapshotClientEncoder();
    private final SnapshotEndEncoder endEncoder = new SnapshotEndEncoder();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(BATCH_BYTES + 64 * 1024);
    private long bytesWritten;

    /**
     * Write the state; blocks the service thread until the whole snapshot is offered.
     *
     * @return the number of entries written.
     */
    long take(
        final ExclusivePublication publication,
        final FerriteStore store,
        final RequestDeduplicator deduplicator,
        final IdleStrategy idleStrategy)
    {
        bytesWritten = 0;
        beginEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
            .entries(store.size())
            .clients(deduplicator.clientCount())
            .dedupeSequence(deduplicator.sequence());
        offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + beginEncoder.encodedLength(), idleStrategy);

        final BatchWriter batch = new BatchWriter(publication, idleStrategy);
        final long entries = store.forEach(batch);
        batch.flush();

        final List<RequestDeduplicator.ClientWindow> windows = deduplicator.windows();
        for (final RequestDeduplicator.ClientWindow window : windows)
        {
            final SnapshotClientEncoder.RequestsEncoder requests = clientEncoder
                .wrapAndApplyHeader(out, 0, headerEncoder)
                .clientId(window.clientId)
                .lastSequence(window.lastSequence)
                .requestsCount(window.count);
            for (int i = 0; i < window.count; i++)
            {
                final int index = (window.next - window.count + i + RequestDeduplicator.WINDOW) %
                    RequestDeduplicator.WINDOW;
                requests.next().correlationId(window.correlationIds[index]).result(window.results[index]);
            }
            offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + clientEncoder.encodedLength(), idleStrategy);
        }

        endEncoder.wrapAndApplyHeader(out, 0, headerEncoder).entries(entries).clients(windows.size());
        offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + endEncoder.encodedLength(), idleStrategy);
        return entries;
    }

    /**
     * Bytes of messages the last {@link #take} wrote.
     */
    long bytesWritten()
    {
        return bytesWritten;
    }

    /**
     * Read a snapshot into an empty store and deduplicator.
     *
     * @throws IllegalStateException if the snapshot is cut short or its counts disagree.
     */
    static long load(
        final Image image, final FerriteStore store, final RequestDeduplicator deduplicator,
        final IdleStrategy idleStrategy)
    {
        final Loader loader = new Loader(store, deduplicator);
        final ImageFragmentAssembler assembler = new ImageFragmentAssembler(loader);
        idleStrategy.reset();
        while (!loader.done)
        {
            final int fragments = image.poll(assembler, 16);
            if (0 == fragments)
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    if (!loader.done)
                    {
                        throw new IllegalStateException("snapshot ended before SnapshotEnd after " + loader.entries +
                            " entries");
                    }
                }
                idleStrategy.idle();
            }
            else
            {
                idleStrategy.reset();
            }
        }
        return loader.entries;
    }

    private void offer(final Publication publication, final int length, final IdleStrategy idleStrategy)
    {
        idleStrategy.reset();
        while (true)
        {
            final long result = publication.offer(out, 0, length);
            if (result > 0)
            {
                bytesWritten += length;
                return;
            }
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
            {
                throw new IllegalStateException("snapshot publication failed: " + Publication.errorString(result));
            }
            idleStrategy.idle();
        }
    }

    /**
     * Packs visited entries into SnapshotEntries messages.
     */
    private final class BatchWriter implements io.ferrite.engine.EntryVisitor
    {
        private final Publication publication;
        private final IdleStrategy idleStrategy;
        private final ExpandableDirectByteBuffer batch = new ExpandableDirectByteBuffer(BATCH_BYTES + 64 * 1024);
        private int count;
        private int length;

        BatchWriter(final Publication publication, final IdleStrategy idleStrategy)
        {
            this.publication = publication;
            this.idleStrategy = idleStrategy;
        }

        public void visit(
            final DirectBuffer buffer,
            final int keyOffset,
            final int keyLength,
            final int valueOffset,
            final int valueLength,
            final long expireAt)
        {
            final int entryLength = 8 + 4 + keyLength + 4 + valueLength;
            if (count > 0 && length + entryLength > BATCH_BYTES)
            {
                flush();
            }
            batch.putLong(length, expireAt, java.nio.ByteOrder.LITTLE_ENDIAN);
            batch.putInt(length + 8, keyLength, java.nio.ByteOrder.LITTLE_ENDIAN);
            batch.putBytes(length + 12, buffer, keyOffset, keyLength);
            batch.putInt(length + 12 + keyLength, valueLength, java.nio.ByteOrder.LITTLE_ENDIAN);
            batch.putBytes(length + 16 + keyLength, buffer, valueOffset, valueLength);
            length += entryLength;
            count++;
        }

        void flush()
        {
            if (0 == count)
            {
                return;
            }
            final SnapshotEntriesEncoder.EntriesEncoder entries = entriesEncoder
                .wrapAndApplyHeader(out, 0, headerEncoder)
                .entriesCount(count);
            int position = 0;
            for (int i = 0; i < count; i++)
            {
                final long expireAt = batch.getLong(position, java.nio.ByteOrder.LITTLE_ENDIAN);
                final int keyLength = batch.getInt(position + 8, java.nio.ByteOrder.LITTLE_ENDIAN);
                final int valueLength = batch.getInt(position + 12 + keyLength, java.nio.ByteOrder.LITTLE_ENDIAN);
                entries.next().expireAt(expireAt);
                entries.putKey(batch, position + 12, keyLength);
                entries.putValue(batch, position + 16 + keyLength, valueLength);
                position += 16 + keyLength + valueLength;
            }
            offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + entriesEncoder.encodedLength(), idleStrategy);
            count = 0;
            length = 0;
        }
    }

    /**
     * Applies snapshot messages to the store.
     */
    private static final class Loader implements FragmentHandler
    {
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final SnapshotBeginDecoder begin = new SnapshotBeginDecoder();
        private final SnapshotEntriesDecoder entriesDecoder = new SnapshotEntriesDecoder();
        private final SnapshotClientDecoder client = new SnapshotClientDecoder();
        private final SnapshotEndDecoder end = new SnapshotEndDecoder();
        private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
        private final UnsafeBuffer value = new UnsafeBuffer(0, 0);
        private final FerriteStore store;
        private final RequestDeduplicator deduplicator;
        private boolean done;
        private long entries;
        private long clients;

        Loader(final FerriteStore store, final RequestDeduplicator deduplicator)
        {
            this.store = store;
            this.deduplicator = deduplicator;
        }

        public void onFragment(
            final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header hdr)
        {
            header.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            switch (header.templateId())
            {
                case SnapshotBeginDecoder.TEMPLATE_ID:
                    begin.wrap(buffer, body, header.blockLength(), header.version());
                    deduplicator.sequence(begin.dedupeSequence());
                    break;
                case SnapshotEntriesDecoder.TEMPLATE_ID:
                    entriesDecoder.wrap(buffer, body, header.blockLength(), header.version());
                    for (final SnapshotEntriesDecoder.EntriesDecoder entry : entriesDecoder.entries())
                    {
                        final long expireAt = entry.expireAt();
                        entry.wrapKey(key);
                        entry.wrapValue(value);
                        store.restore(key, 0, key.capacity(), value, 0, value.capacity(), expireAt);
                        entries++;
                    }
                    break;
                case SnapshotClientDecoder.TEMPLATE_ID:
                    client.wrap(buffer, body, header.blockLength(), header.version());
                    final RequestDeduplicator.ClientWindow window =
                        deduplicator.restore(client.clientId(), client.lastSequence());
                    for (final SnapshotClientDecoder.RequestsDecoder request : client.requests())
                    {
                        window.record(request.correlationId(), request.result(), client.lastSequence());
                    }
                    clients++;
                    break;
                case SnapshotEndDecoder.TEMPLATE_ID:
                    end.wrap(buffer, body, header.blockLength(), header.version());
                    if (end.entries() != entries || end.clients() != clients)
                    {
                        throw new IllegalStateException("snapshot holds " + entries + " entries and " + clients +
                            " clients but its end marker says " + end.entries() + " and " + end.clients());
                    }
                    done = true;
                    break;
                default:
                    throw new IllegalStateException("unknown snapshot message template " + header.templateId());
            }
        }
    }
}
