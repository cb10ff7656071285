package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * An {@link ImageSnapshot} in a file, written incrementally and verified on load.
 * <pre>
 *  File:    magic "FERIMAGE" (long) | image length (long) | frame ... | end frame
 *  Frame:   position (long) | length (int) | checksum (int) | length bytes
 *  End:     -1 (long) | 0 (int) | 0 (int) | chunk count (long) | digest (long)
 * </pre>
 * Little-endian. A file cut short, a flipped byte or a missing frame is refused on load.
 * <b>Note:</b> a writer is used by one thread (which may be a background thread: see {@link ImageSnapshot}).
 */
public final class ImageFile
{
    static final long MAGIC = 0x4547414D49524546L;
    static final int FILE_HEADER_LENGTH = 16;
    static final int FRAME_HEADER_LENGTH = 16;
    static final int END_LENGTH = FRAME_HEADER_LENGTH + 16;

    private ImageFile()
    {
    }

    /**
     * Writes one snapshot to one file, a bounded number of chunks per call.
     */
    public static final class Writer implements AutoCloseable
    {
        private final ImageSnapshot snapshot;
        private final FileChannel channel;
        private final ByteBuffer frame = ByteBuffer.allocateDirect(FRAME_HEADER_LENGTH + ImageSnapshot.CHUNK_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
        private final UnsafeBuffer payload = new UnsafeBuffer(frame, FRAME_HEADER_LENGTH, ImageSnapshot.CHUNK_LENGTH);
        private boolean done;

        public Writer(final ImageSnapshot snapshot, final File file)
        {
            this.snapshot = snapshot;
            try
            {
                channel = FileChannel.open(file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                final ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
                header.putLong(MAGIC).putLong(snapshot.imageLength()).flip();
                writeFully(header);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write image file " + file, ex);
            }
        }

        /**
         * Write up to {@code maxChunks} more chunks.
         *
         * @return true once the whole image and the end frame are written and forced to the device.
         */
        public boolean writeSome(final int maxChunks)
        {
            try
            {
                for (int i = 0; i < maxChunks && !done; i++)
                {
                    final int length = snapshot.next(payload, 0);
                    frame.clear();
                    if (length < 0)
                    {
                        frame.putLong(-1L).putInt(0).putInt(0).putLong(snapshot.chunks()).putLong(snapshot.digest());
                        frame.flip();
                        writeFully(frame);
                        channel.force(true);
                        done = true;
                    }
                    else
                    {
                        frame.putLong(snapshot.chunkPosition()).putInt(length).putInt(snapshot.chunkChecksum());
                        frame.limit(FRAME_HEADER_LENGTH + length).position(0);
                        writeFully(frame);
                    }
                }
                return done;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot write image file", ex);
            }
        }

        public void close()
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot close image file", ex);
            }
        }

        private void writeFully(final ByteBuffer buffer) throws IOException
        {
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        }
    }

    /**
     * Load an image file into {@code store}.
     *
     * @return the number of entries the store holds afterwards.
     * @throws StoreCorruptedException if the file is not a complete, undamaged image of a store of this geometry;
     *                                 the store is then left empty.
     */
    public static long load(final File file, final FerriteStore store)
    {
        final ImageLoader loader = new ImageLoader(store);
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
        {
            final ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            if (!readFully(channel, header) || header.getLong(0) != MAGIC || header.getLong(8) != store.imageLength())
            {
                loader.abandon();
                throw new StoreCorruptedException(file + " is not an image file of a store of this geometry");
            }
            final ByteBuffer frame = ByteBuffer.allocateDirect(FRAME_HEADER_LENGTH + ImageSnapshot.CHUNK_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
            final UnsafeBuffer payload = new UnsafeBuffer(frame, FRAME_HEADER_LENGTH, ImageSnapshot.CHUNK_LENGTH);
            while (true)
            {
                frame.clear().limit(FRAME_HEADER_LENGTH);
                if (!readFully(channel, frame))
                {
                    loader.abandon();
                    throw new StoreCorruptedException(file + " ends before its end frame (cut short)");
                }
                final long position = frame.getLong(0);
                final int length = frame.getInt(8);
                final int checksum = frame.getInt(12);
                if (-1L == position)
                {
                    final ByteBuffer end = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                    if (!readFully(channel, end))
                    {
                        loader.abandon();
                        throw new StoreCorruptedException(file + " has a cut end frame");
                    }
                    loader.finish(end.getLong(8), end.getLong(0));
                    return store.size();
                }
                if (length <= 0 || length > ImageSnapshot.CHUNK_LENGTH)
                {
                    loader.abandon();
                    throw new StoreCorruptedException(file + " has a frame of impossible length " + length);
                }
                frame.limit(FRAME_HEADER_LENGTH + length);
                if (!readFully(channel, frame))
                {
                    loader.abandon();
                    throw new StoreCorruptedException(file + " ends inside a frame (cut short)");
                }
                loader.chunk(position, payload, 0, length, checksum);
            }
        }
        catch (final IOException ex)
        {
            loader.abandon();
            throw new UncheckedIOException("cannot read image file " + file, ex);
        }
    }

    private static boolean readFully(final FileChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                return false;
            }
        }
        return true;
    }
}
