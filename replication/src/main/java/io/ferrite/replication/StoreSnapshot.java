package io.ferrite.replication;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.ImageFragmentAssembler;
import io.aeron.Publication;
import io.aeron.logbuffer.FragmentHandler;
import io.ferrite.codec.sbe.GroupSettingsDecoder;
import io.ferrite.codec.sbe.MessageHeaderDecoder;
import io.ferrite.codec.sbe.MessageHeaderEncoder;
import io.ferrite.codec.sbe.SnapshotBeginDecoder;
import io.ferrite.codec.sbe.SnapshotBeginEncoder;
import io.ferrite.codec.sbe.SnapshotClientDecoder;
import io.ferrite.codec.sbe.SnapshotClientWindowDecoder;
import io.ferrite.codec.sbe.SnapshotClientWindowEncoder;
import io.ferrite.codec.sbe.SnapshotChecksumDecoder;
import io.ferrite.codec.sbe.SnapshotChecksumEncoder;
import io.ferrite.codec.sbe.SnapshotEndDecoder;
import io.ferrite.codec.sbe.SnapshotEndEncoder;
import io.ferrite.codec.sbe.SnapshotEntriesDecoder;
import io.ferrite.codec.sbe.SnapshotImageChunkDecoder;
import io.ferrite.codec.sbe.SnapshotImageChunkEncoder;
import io.ferrite.engine.FerriteStore;
import io.ferrite.engine.ImageFile;
import io.ferrite.engine.ImageSnapshot;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * Writes a member's replicated state (the store and the write deduplication windows) to a snapshot publication,
 * and reads it back on start.
 * <p>
 * A snapshot is {@code SnapshotBegin}, then the group's {@code GroupSettings} once they are established, then the
 * store's whole image ({@link FerriteStore#imageLength()}: index, entry records, policy state and data) as {@code
 * SnapshotImageChunk} messages of {@link #IMAGE_CHUNK} bytes with all-zero chunks left out, then one {@code
 * SnapshotClientWindow} per remembered client (its id, the session that owns it and its recent outcomes, each with its
 * write's partition from schema version 2, and from version 3 the highest correlation id whose outcome it dropped,
 * which older windows load as none; a version 1 window's outcomes load as of unknown partition, and the older
 * {@code SnapshotClient} without an owner is still read), then {@code SnapshotChecksum} (the CRC32C of every message
 * before it, which loading recomputes: a corrupted snapshot is refused instead of loaded; snapshots written before it
 * existed, without one, still load), then {@code SnapshotEnd} with the counts, which loading checks. Copying the image
 * rather than the entries keeps recency order, frequencies and expiry bookkeeping exactly, so a member restored from a
 * snapshot evicts, expires and answers conditional writes exactly as the members that never restarted (entries
 * re-inserted one by one would diverge under eviction). Every member must therefore run stores of the same capacity,
 * entries and policy; loading refuses an image that does not match. Snapshots of the older per-entry form ({@code
 * SnapshotEntries}) are still read.
 * <p>
 * <b>Background images</b> ({@value #BACKGROUND_PROP}{@code =true}, off by default): Aeron Cluster stops the whole
 * group while a service writes its snapshot, so with this setting the snapshot carries, instead of the image, one
 * {@code SnapshotImageChunk} at position {@link #EXTERNAL_IMAGE} naming an image file in the member's cluster
 * directory. The store's {@link ImageSnapshot} (a copy of the meta file, the only pause) is then written to that file
 * by a background thread while the group keeps serving, checksummed, and verified when the member next loads it.
 * The price: the image lives only on this member's disk (a standby copying snapshots through the archive does not
 * get it), and if the member dies before the file is complete, that snapshot cannot be loaded (loading says so);
 * keep the log until the next snapshot in that case.
 */
final class StoreSnapshot
{
    static final int IMAGE_CHUNK = 64 * 1024;
    /** System property: write store images in the background to the cluster directory (true/false). */
    static final String BACKGROUND_PROP = "ferrite.replication.snapshot.background";
    /** Position of the {@code SnapshotImageChunk} whose data names an external image file. */
    static final long EXTERNAL_IMAGE = -1;
    static final String IMAGE_DIR = "ferrite-images";
    private static final long WRITER_PAUSE_NS = 1_000_000;

    private final boolean background = Boolean.getBoolean(BACKGROUND_PROP);
    private Thread imageWriter;
    private volatile Throwable imageWriterFailure;
    private volatile long lastCaptureNs;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SnapshotBeginEncoder beginEncoder = new SnapshotBeginEncoder();
    private final SnapshotClientWindowEncoder clientEncoder = new SnapshotClientWindowEncoder();
    private final SnapshotEndEncoder endEncoder = new SnapshotEndEncoder();
    private final SnapshotChecksumEncoder checksumEncoder = new SnapshotChecksumEncoder();
    private final CRC32C crc = new CRC32C();
    private long checksummed;
    private final SnapshotImageChunkEncoder imageEncoder = new SnapshotImageChunkEncoder();
    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(IMAGE_CHUNK);
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(IMAGE_CHUNK + 1024);
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
        final GroupSettings settings,
        final IdleStrategy idleStrategy,
        final File clusterDir,
        final long logPosition)
    {
        bytesWritten = 0;
        crc.reset();
        checksummed = 0;
        beginEncoder.wrapAndApplyHeader(out, 0, headerEncoder)
            .entries(store.size())
            .clients(deduplicator.clientCount())
            .dedupeSequence(deduplicator.sequence());
        offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + beginEncoder.encodedLength(), idleStrategy);
        if (null != settings)
        {
            offer(publication, settings.encode(out, 0), idleStrategy);
        }

        final long entries = store.size();
        if (background && null != clusterDir && (null == imageWriter || !imageWriter.isAlive()))
        {
            writeImageInBackground(publication, store, idleStrategy, new File(clusterDir, IMAGE_DIR), logPosition);
        }
        else
        {
            writeImage(publication, store, idleStrategy);
        }

        final List<RequestDeduplicator.ClientWindow> windows = deduplicator.windows();
        for (final RequestDeduplicator.ClientWindow window : windows)
        {
            offer(publication, encodeWindow(window, clientEncoder, headerEncoder, out), idleStrategy);
        }

        checksumEncoder.wrapAndApplyHeader(out, 0, headerEncoder).messages(checksummed).crc32c(crc.getValue());
        offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + checksumEncoder.encodedLength(), idleStrategy);
        endEncoder.wrapAndApplyHeader(out, 0, headerEncoder).entries(entries).clients(windows.size());
        offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + endEncoder.encodedLength(), idleStrategy);
        return entries;
    }

    /**
     * The store's whole image (policy order and frequencies included, so a restored replica evicts exactly as the
     * others do), in chunks; chunks that are all zero are left out.
     */
    private void writeImage(
        final ExclusivePublication publication, final FerriteStore store, final IdleStrategy idleStrategy)
    {
        final long length = store.imageLength();
        for (long position = 0; position < length; position += IMAGE_CHUNK)
        {
            final int chunk = (int)Math.min(IMAGE_CHUNK, length - position);
            store.readImage(position, scratch, 0, chunk);
            if (isZero(scratch, chunk))
            {
                continue;
            }
            imageEncoder.wrapAndApplyHeader(out, 0, headerEncoder).position(position).putData(scratch, 0, chunk);
            offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + imageEncoder.encodedLength(), idleStrategy);
        }
    }

    /**
     * Name an image file in the snapshot and start writing the store's image at this point to it in the background.
     */
    private void writeImageInBackground(
        final ExclusivePublication publication,
        final FerriteStore store,
        final IdleStrategy idleStrategy,
        final File imageDir,
        final long logPosition)
    {
        if (!imageDir.isDirectory() && !imageDir.mkdirs())
        {
            throw new IllegalStateException("cannot create the image directory " + imageDir);
        }
        final String name = "image-" + logPosition + ".img";
        final ImageSnapshot image = store.snapshot();
        lastCaptureNs = image.captureNanos();
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        scratch.putBytes(0, nameBytes);
        imageEncoder.wrapAndApplyHeader(out, 0, headerEncoder).position(EXTERNAL_IMAGE)
            .putData(scratch, 0, nameBytes.length);
        offer(publication, MessageHeaderEncoder.ENCODED_LENGTH + imageEncoder.encodedLength(), idleStrategy);

        final File target = new File(imageDir, name);
        final File partial = new File(imageDir, name + ".partial");
        imageWriter = new Thread(() ->
        {
            try (ImageSnapshot snapshot = image; ImageFile.Writer writer = new ImageFile.Writer(snapshot, partial))
            {
                // 1 MiB at a time with a short park between: the service and the media driver keep their cores.
                while (!writer.writeSome(16))
                {
                    LockSupport.parkNanos(WRITER_PAUSE_NS);
                }
            }
            catch (final Throwable t)
            {
                imageWriterFailure = t;
                partial.delete();
                return;
            }
            if (!partial.renameTo(target))
            {
                imageWriterFailure = new IllegalStateException("cannot rename " + partial + " to " + target);
                return;
            }
            final File[] old = imageDir.listFiles((dir, file) -> file.startsWith("image-") && !file.equals(name));
            if (null != old)
            {
                for (final File file : old)
                {
                    file.delete();
                }
            }
        }, "ferrite-image-writer");
        imageWriter.setDaemon(true);
        imageWriter.start();
    }

    /**
     * How long the store paused for the last background image's snapshot point (its meta copy), in nanoseconds.
     */
    long lastCaptureNs()
    {
        return lastCaptureNs;
    }

    /**
     * Whether a background image write is still running.
     */
    boolean isWritingImage()
    {
        return null != imageWriter && imageWriter.isAlive();
    }

    /**
     * The failure of the last background image write, or null.
     */
    Throwable imageWriterFailure()
    {
        return imageWriterFailure;
    }

    /**
     * Wait for a background image write to end (before the store is closed).
     */
    void awaitImageWriter() throws InterruptedException
    {
        if (null != imageWriter)
        {
            imageWriter.join();
        }
    }

    private static boolean isZero(final DirectBuffer buffer, final int length)
    {
        for (int i = 0; i < length; i += 8)
        {
            if (0 != buffer.getLong(i))
            {
                return false;
            }
        }
        return true;
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
        final Consumer<GroupSettings> settings, final IdleStrategy idleStrategy, final File clusterDir)
    {
        final Loader loader = new Loader(
            store, deduplicator, settings, null == clusterDir ? null : new File(clusterDir, IMAGE_DIR));
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

    /**
     * Encode one client's window as a {@code SnapshotClientWindow} at the start of {@code buffer}.
     *
     * @return the encoded length, header included.
     */
    static int encodeWindow(
        final RequestDeduplicator.ClientWindow window,
        final SnapshotClientWindowEncoder encoder,
        final MessageHeaderEncoder headerEncoder,
        final MutableDirectBuffer buffer)
    {
        final SnapshotClientWindowEncoder.RequestsEncoder requests = encoder
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .clientId(window.clientId)
            .ownerSessionId(window.ownerSessionId)
            .lastSequence(window.lastSequence)
            .forgottenUpTo(window.forgottenUpTo)
            .requestsCount(window.count);
        for (int i = 0; i < window.count; i++)
        {
            final int index = window.indexOf(i);
            requests.next().correlationId(window.correlationIds[index]).result(window.results[index])
                .partition(window.partitions[index]);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Restore one client's window from its wrapped snapshot message (call {@link RequestDeduplicator#restored()}
     * after the last); a version 1 message has no partitions, so its outcomes count as of any partition.
     */
    static void restoreWindow(final SnapshotClientWindowDecoder window, final RequestDeduplicator deduplicator)
    {
        final RequestDeduplicator.ClientWindow owned = deduplicator.restore(
            window.clientId(), window.ownerSessionId(), window.lastSequence());
        // the SBE null value of a version 2 message is NOTHING_FORGOTTEN
        final long forgottenUpTo = window.forgottenUpTo();
        for (final SnapshotClientWindowDecoder.RequestsDecoder request : window.requests())
        {
            final int partition = request.partition();
            owned.record(request.correlationId(), request.result(),
                SnapshotClientWindowDecoder.RequestsDecoder.partitionNullValue() == partition ?
                RequestDeduplicator.ANY_PARTITION : partition);
        }
        owned.forgottenUpTo = forgottenUpTo;
    }

    private void offer(final Publication publication, final int length, final IdleStrategy idleStrategy)
    {
        SnapshotOffers.offer(publication, out, 0, length, idleStrategy);
        bytesWritten += length;
        final ByteBuffer bytes = out.byteBuffer();
        bytes.limit(length).position(0);
        crc.update(bytes);
        bytes.clear();
        checksummed++;
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
        private final SnapshotClientWindowDecoder clientWindow = new SnapshotClientWindowDecoder();
        private final SnapshotEndDecoder end = new SnapshotEndDecoder();
        private final SnapshotImageChunkDecoder imageChunk = new SnapshotImageChunkDecoder();
        private final UnsafeBuffer chunkData = new UnsafeBuffer(0, 0);
        private boolean image;
        private long beginEntries;
        private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
        private final UnsafeBuffer value = new UnsafeBuffer(0, 0);
        private final FerriteStore store;
        private final RequestDeduplicator deduplicator;
        private final Consumer<GroupSettings> settings;
        private final GroupSettingsDecoder settingsDecoder = new GroupSettingsDecoder();
        private final File imageDir;
        private String externalImage;
        private boolean done;
        private final SnapshotChecksumDecoder checksum = new SnapshotChecksumDecoder();
        private final CRC32C crc = new CRC32C();
        private byte[] scratch = new byte[64 * 1024];
        private long checksummed;
        private long entries;
        private long clients;

        Loader(
            final FerriteStore store,
            final RequestDeduplicator deduplicator,
            final Consumer<GroupSettings> settings,
            final File imageDir)
        {
            this.store = store;
            this.deduplicator = deduplicator;
            this.settings = settings;
            this.imageDir = imageDir;
        }

        public void onFragment(
            final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header hdr)
        {
            header.wrap(buffer, offset);
            final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
            if (SnapshotChecksumDecoder.TEMPLATE_ID == header.templateId())
            {
                checksum.wrap(buffer, body, header.blockLength(), header.version());
                if (checksum.messages() != checksummed || checksum.crc32c() != crc.getValue())
                {
                    throw new IllegalStateException("snapshot is corrupted: CRC32C over " + checksummed +
                        " messages is " + Long.toHexString(crc.getValue()) + " but it was written as " +
                        Long.toHexString(checksum.crc32c()) + " over " + checksum.messages() + "; refusing to load " +
                        "it (restart the member from an older snapshot or another member's)");
                }
                return;
            }
            if (SnapshotEndDecoder.TEMPLATE_ID != header.templateId())
            {
                if (scratch.length < length)
                {
                    scratch = new byte[Math.max(length, 2 * scratch.length)];
                }
                buffer.getBytes(offset, scratch, 0, length);
                crc.update(scratch, 0, length);
                checksummed++;
            }
            switch (header.templateId())
            {
                case SnapshotBeginDecoder.TEMPLATE_ID:
                    begin.wrap(buffer, body, header.blockLength(), header.version());
                    deduplicator.sequence(begin.dedupeSequence());
                    beginEntries = begin.entries();
                    break;
                case SnapshotImageChunkDecoder.TEMPLATE_ID:
                    imageChunk.wrap(buffer, body, header.blockLength(), header.version());
                    if (EXTERNAL_IMAGE == imageChunk.position())
                    {
                        imageChunk.wrapData(chunkData);
                        externalImage = chunkData.getStringWithoutLengthUtf8(0, chunkData.capacity());
                        break;
                    }
                    if (!image)
                    {
                        store.clearImage();
                        image = true;
                    }
                    final long position = imageChunk.position();
                    imageChunk.wrapData(chunkData);
                    store.writeImage(position, chunkData, 0, chunkData.capacity());
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
                    final RequestDeduplicator.ClientWindow window = deduplicator.restore(
                        client.clientId(), RequestDeduplicator.NO_SESSION, client.lastSequence());
                    for (final SnapshotClientDecoder.RequestsDecoder request : client.requests())
                    {
                        window.record(request.correlationId(), request.result(), RequestDeduplicator.ANY_PARTITION);
                    }
                    clients++;
                    break;
                case SnapshotClientWindowDecoder.TEMPLATE_ID:
                    clientWindow.wrap(buffer, body, header.blockLength(), header.version());
                    restoreWindow(clientWindow, deduplicator);
                    clients++;
                    break;
                case GroupSettingsDecoder.TEMPLATE_ID:
                    settingsDecoder.wrap(buffer, body, header.blockLength(), header.version());
                    settings.accept(GroupSettings.decode(settingsDecoder));
                    break;
                case SnapshotEndDecoder.TEMPLATE_ID:
                    end.wrap(buffer, body, header.blockLength(), header.version());
                    deduplicator.restored();
                    if (null != externalImage || image)
                    {
                        if (null != externalImage)
                        {
                            loadExternal();
                        }
                        else
                        {
                            store.imageRestored();
                        }
                        entries = store.size();
                        if (entries != beginEntries)
                        {
                            throw new IllegalStateException("snapshot image holds " + entries + " entries but was " +
                                "taken with " + beginEntries);
                        }
                    }
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

        private void loadExternal()
        {
            final File file = null == imageDir ? null : new File(imageDir, externalImage);
            if (null == file || !file.isFile())
            {
                throw new IllegalStateException("this snapshot's store image " + externalImage + " is not in " +
                    imageDir + " (the member died before its background write finished, or the directory was lost); " +
                    "restart from the log or from another member's snapshot");
            }
            ImageFile.load(file, store);
        }
    }
}
