package io.ferrite.engine;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A consistent image of a store at one point, produced while the store keeps serving.
 * <p>
 * {@link FerriteStore#snapshot()} copies the meta file (header, policy state, segment table, index, entry records;
 * tens of bytes per entry) at the snapshot point; that copy is the only pause. The data segments are not copied
 * then: blocks are never changed in place, so the bytes a segment held at the point stay where they are until the
 * cleaner frees the segment. The writer copies each segment when it gets to it; if the store's cleaner wants to free
 * a segment first, the store thread copies it aside just before (segment-granular copy-on-write), and if the writer
 * is copying that segment at that moment the store thread waits for that one copy. The image therefore equals the
 * store's image at the point in every byte a store reads (bytes past a segment's used mark are left zero).
 * <p>
 * The image is produced as chunks of at most {@link #CHUNK_LENGTH} bytes ({@link #next}), all-zero chunks left out,
 * each with its position and a checksum; {@link #digest()} covers the sequence of (position, length, checksum) so
 * a loader ({@link ImageLoader}) refuses an image with a damaged, missing or reordered chunk.
 * <p>
 * <b>Note:</b> {@link #next} and {@link #close()} may be called from one thread other than the store's (a background
 * writer; they share a monitor, so close never unmaps the meta copy under a running {@code next});
 * {@link FerriteStore#snapshot()} must be called on the store's thread. Segment states are an
 * {@link AtomicIntegerArray}: a volatile CAS claims a segment for one side, a volatile set releases it, so the store
 * never reuses a segment the writer is reading and the writer never reads a segment the store has reused.
 */
public final class ImageSnapshot implements AutoCloseable
{
    /** Longest chunk {@link #next} produces. */
    public static final int CHUNK_LENGTH = 64 * 1024;

    static final int SKIP = 0;
    static final int PENDING = 1;
    static final int WRITER_COPYING = 2;
    static final int STORE_COPYING = 3;
    static final int SPILLED = 4;
    static final int DONE = 5;

    private final long metaLength;
    private final long imageLength;
    private final int segmentSize;
    private final int segmentCount;
    private final MappedMemory metaCopy;
    private final MappedMemory data;
    private final int[] usedAtPoint;
    private final AtomicIntegerArray states;
    private final UnsafeBuffer[] spilled;
    private final long entries;
    private final UnsafeBuffer staging;
    private long metaCursor;
    private int segmentCursor = -1;
    private int stagedLength;
    private int stagedCursor;
    private long chunkPosition;
    private int chunkChecksum;
    private long digest = ImageLoader.DIGEST_SEED;
    private long chunks;
    private volatile boolean closed;
    private volatile int spilledSegments;
    private final long captureNanos;

    ImageSnapshot(final FerriteStore store, final File scratchDir, final MappedMemory reusableMetaCopy)
    {
        final long captureStart = System.nanoTime();
        final StoreLayout layout = store.layout();
        this.metaLength = layout.metaLength;
        this.imageLength = layout.metaLength + layout.dataLength;
        this.segmentSize = layout.segmentSize;
        this.segmentCount = layout.segmentCount;
        this.data = store.dataMemory();
        this.usedAtPoint = new int[segmentCount];
        this.states = new AtomicIntegerArray(segmentCount);
        this.spilled = new UnsafeBuffer[segmentCount];
        this.staging = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(segmentSize));
        this.metaCopy = null != reusableMetaCopy && reusableMetaCopy.length() == metaLength ? reusableMetaCopy :
            MappedMemory.mapAnonymous(scratchDir, "ferrite-snapshot-meta-", metaLength);
        try
        {
            final MappedMemory meta = store.metaMemory();
            for (long at = 0; at < metaLength; )
            {
                final int run = StoreImage.run(meta, at, (int)Math.min(Integer.MAX_VALUE, metaLength - at));
                metaCopy.buffer(at).putBytes(MappedMemory.offset(at), meta.buffer(at), MappedMemory.offset(at), run);
                at += run;
            }
            final DataLog log = store.log();
            for (int s = 0; s < segmentCount; s++)
            {
                final int used = SegmentDescriptor.STATE_FREE == log.state(s) ? 0 : log.used(s);
                usedAtPoint[s] = used;
                states.set(s, 0 == used ? SKIP : PENDING);
            }
            this.entries = store.size();
            this.captureNanos = System.nanoTime() - captureStart;
        }
        catch (final RuntimeException ex)
        {
            metaCopy.close();
            throw ex;
        }
    }

    /**
     * The number of live entries at the snapshot point.
     */
    public long entries()
    {
        return entries;
    }

    /**
     * Length of the image (the store's meta file followed by its data file).
     */
    public long imageLength()
    {
        return imageLength;
    }

    /**
     * Copy the next non-zero chunk of the image into {@code dst} at {@code dstOffset} ({@link #CHUNK_LENGTH} bytes of
     * room); its position is {@link #chunkPosition()} and its checksum {@link #chunkChecksum()}.
     *
     * @return the chunk's length, or -1 once the whole image has been produced.
     */
    public synchronized int next(final MutableDirectBuffer dst, final int dstOffset)
    {
        if (closed)
        {
            throw new IllegalStateException("snapshot closed");
        }
        while (metaCursor < metaLength)
        {
            final long at = metaCursor;
            final int length = (int)Math.min(CHUNK_LENGTH, metaLength - at);
            metaCursor += length;
            final UnsafeBuffer source = metaCopy.buffer(at);
            final int offset = MappedMemory.offset(at);
            if (!ImageLoader.isZero(source, offset, length))
            {
                return emit(dst, dstOffset, source, offset, at, length);
            }
        }
        while (true)
        {
            if (stagedCursor < stagedLength)
            {
                final int offset = stagedCursor;
                final int length = Math.min(CHUNK_LENGTH, stagedLength - offset);
                stagedCursor += length;
                if (!ImageLoader.isZero(staging, offset, length))
                {
                    final long at = metaLength + (long)segmentCursor * segmentSize + offset;
                    return emit(dst, dstOffset, staging, offset, at, length);
                }
                continue;
            }
            if (++segmentCursor >= segmentCount)
            {
                segmentCursor = segmentCount;
                return -1;
            }
            stage(segmentCursor);
        }
    }

    /**
     * Image position of the chunk {@link #next} returned last.
     */
    public long chunkPosition()
    {
        return chunkPosition;
    }

    /**
     * Checksum of the chunk {@link #next} returned last ({@link ImageLoader#chunkChecksum}).
     */
    public int chunkChecksum()
    {
        return chunkChecksum;
    }

    /**
     * Digest of every chunk produced so far; complete once {@link #next} returned -1.
     */
    public long digest()
    {
        return digest;
    }

    /**
     * Number of chunks produced so far.
     */
    public long chunks()
    {
        return chunks;
    }

    /**
     * Release the snapshot: the store frees segments without copying them from now on. Idempotent.
     */
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            for (int s = 0; s < segmentCount; s++)
            {
                if (!states.compareAndSet(s, PENDING, DONE))
                {
                    while (WRITER_COPYING == states.get(s) || STORE_COPYING == states.get(s))
                    {
                        Thread.onSpinWait();
                    }
                }
            }
        }
    }

    /**
     * How long taking the snapshot paused the store's thread (the copy of the meta file), in nanoseconds.
     */
    public long captureNanos()
    {
        return captureNanos;
    }

    /**
     * The meta copy's mapping, for the store to reuse in its next snapshot (its pages are already in memory); only
     * once this snapshot is closed.
     */
    MappedMemory releasedMetaCopy()
    {
        return closed ? metaCopy : null;
    }

    /**
     * Segments the store copied aside because its cleaner reused them before the writer got to them.
     */
    public int spilledSegments()
    {
        return spilledSegments;
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * Store thread: segment {@code segment} is about to be freed; copy what the snapshot still needs of it.
     */
    void beforeFree(final int segment)
    {
        while (true)
        {
            final int state = states.get(segment);
            if (PENDING == state)
            {
                if (states.compareAndSet(segment, PENDING, STORE_COPYING))
                {
                    final int used = usedAtPoint[segment];
                    final UnsafeBuffer copy = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(used));
                    final long base = (long)segment * segmentSize;
                    copy.putBytes(0, data.buffer(base), MappedMemory.offset(base), used);
                    spilled[segment] = copy;
                    spilledSegments++;
                    states.set(segment, SPILLED);
                    return;
                }
            }
            else if (WRITER_COPYING == state)
            {
                Thread.onSpinWait();
            }
            else
            {
                return;
            }
        }
    }

    private void stage(final int segment)
    {
        stagedCursor = 0;
        stagedLength = 0;
        final int used = usedAtPoint[segment];
        if (states.compareAndSet(segment, PENDING, WRITER_COPYING))
        {
            final long base = (long)segment * segmentSize;
            staging.putBytes(0, data.buffer(base), MappedMemory.offset(base), used);
            states.set(segment, DONE);
            stagedLength = used;
        }
        else if (SPILLED == states.get(segment))
        {
            staging.putBytes(0, spilled[segment], 0, used);
            spilled[segment] = null;
            states.set(segment, DONE);
            stagedLength = used;
        }
    }

    private int emit(
        final MutableDirectBuffer dst,
        final int dstOffset,
        final UnsafeBuffer source,
        final int offset,
        final long position,
        final int length)
    {
        dst.putBytes(dstOffset, source, offset, length);
        chunkPosition = position;
        chunkChecksum = ImageLoader.chunkChecksum(source, offset, length, position);
        digest = ImageLoader.mix(digest, position, length, chunkChecksum);
        chunks++;
        return length;
    }

}
