package io.ferrite.engine;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;

/**
 * A file mapped into memory as chunks of at most {@link #CHUNK_LENGTH} bytes, addressed by a long offset.
 * <p>
 * One {@link MappedByteBuffer} indexes with an int, so a file larger than 1 GiB is mapped as several
 * chunks. Callers lay out their records so that none crosses a chunk boundary (every region and record
 * size is a power of two or a multiple of 8 that divides the chunk length).
 * <p>
 * <b>Note:</b> not thread-safe; the store's single writer owns it.
 */
final class MappedMemory implements AutoCloseable
{
    static final int CHUNK_SHIFT = 30;
    static final long CHUNK_LENGTH = 1L << CHUNK_SHIFT;
    static final long CHUNK_MASK = CHUNK_LENGTH - 1;

    private final File file;
    private final long length;
    private final MappedByteBuffer[] mappings;
    private final UnsafeBuffer[] chunks;
    private final boolean persistent;

    private MappedMemory(final File file, final long length, final boolean persistent)
    {
        this.file = file;
        this.length = length;
        this.persistent = persistent;
        final int chunkCount = (int)((length + CHUNK_LENGTH - 1) >>> CHUNK_SHIFT);
        mappings = new MappedByteBuffer[chunkCount];
        chunks = new UnsafeBuffer[chunkCount];
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"); FileChannel channel = raf.getChannel())
        {
            if (raf.length() < length)
            {
                raf.setLength(length);
            }
            for (int i = 0; i < chunkCount; i++)
            {
                final long position = (long)i << CHUNK_SHIFT;
                final long chunkLength = Math.min(CHUNK_LENGTH, length - position);
                mappings[i] = channel.map(FileChannel.MapMode.READ_WRITE, position, chunkLength);
                chunks[i] = new UnsafeBuffer(mappings[i]);
            }
        }
        catch (final IOException ex)
        {
            unmapAll();
            throw new UncheckedIOException("failed to map " + file + " (" + length + " bytes)", ex);
        }
    }

    /**
     * Map (creating or growing to {@code length}) a file that outlives the process.
     */
    static MappedMemory mapFile(final File file, final long length)
    {
        return new MappedMemory(file, length, true);
    }

    /**
     * Map memory that disappears on close: a file in {@code dir} that is unlinked once mapped.
     */
    static MappedMemory mapAnonymous(final File dir, final String prefix, final long length)
    {
        final File file;
        try
        {
            file = Files.createTempFile(dir.toPath(), prefix, ".anon").toFile();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to create anonymous mapping in " + dir, ex);
        }
        try
        {
            return new MappedMemory(file, length, false);
        }
        finally
        {
            IoUtil.delete(file, true);
        }
    }

    long length()
    {
        return length;
    }

    File file()
    {
        return file;
    }

    boolean isPersistent()
    {
        return persistent;
    }

    /**
     * The chunk holding {@code address}; pair with {@link #offset(long)}.
     */
    UnsafeBuffer buffer(final long address)
    {
        return chunks[(int)(address >>> CHUNK_SHIFT)];
    }

    static int offset(final long address)
    {
        return (int)(address & CHUNK_MASK);
    }

    long getLong(final long address)
    {
        return chunks[(int)(address >>> CHUNK_SHIFT)].getLong((int)(address & CHUNK_MASK));
    }

    void putLong(final long address, final long value)
    {
        chunks[(int)(address >>> CHUNK_SHIFT)].putLong((int)(address & CHUNK_MASK), value);
    }

    int getInt(final long address)
    {
        return chunks[(int)(address >>> CHUNK_SHIFT)].getInt((int)(address & CHUNK_MASK));
    }

    void putInt(final long address, final int value)
    {
        chunks[(int)(address >>> CHUNK_SHIFT)].putInt((int)(address & CHUNK_MASK), value);
    }

    /**
     * Zero {@code length} bytes from {@code address}, which may span chunks.
     */
    void zero(final long address, final long length)
    {
        long position = address;
        long remaining = length;
        while (remaining > 0)
        {
            final int offset = offset(position);
            final int run = (int)Math.min(remaining, CHUNK_LENGTH - offset);
            buffer(position).setMemory(offset, run, (byte)0);
            position += run;
            remaining -= run;
        }
    }

    /**
     * Flush dirty pages of persistent files to the device.
     */
    void force()
    {
        if (persistent)
        {
            for (final MappedByteBuffer mapping : mappings)
            {
                if (null != mapping)
                {
                    mapping.force();
                }
            }
        }
    }

    public void close()
    {
        unmapAll();
    }

    private void unmapAll()
    {
        for (int i = 0; i < mappings.length; i++)
        {
            if (null != mappings[i])
            {
                IoUtil.unmap(mappings[i]);
                mappings[i] = null;
                chunks[i] = null;
            }
        }
    }
}
