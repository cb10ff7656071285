package io.ferrite.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Loads an image produced by an {@link ImageSnapshot} into a store, checking every chunk's checksum, that chunks
 * arrive in increasing positions inside the image, and at the end the digest and chunk count of the whole sequence.
 * A chunk that fails a check is refused with a {@link StoreCorruptedException} and the store is left empty (its
 * original header restored and reset), never holding part of a damaged image.
 * <p>
 * <b>Note:</b> not thread-safe; used by the store's thread, with the store not otherwise in use until
 * {@link #finish} returns.
 */
public final class ImageLoader
{
    static final long DIGEST_SEED = 0x1F3D5B79C2E4A608L;
    private static final long M1 = 0x9E3779B97F4A7C15L;
    private static final long M2 = 0xD6E8FEB86659FD93L;

    private final FerriteStore store;
    private final UnsafeBuffer savedHeader = new UnsafeBuffer(new byte[StoreDescriptor.HEADER_LENGTH]);
    private long digest = DIGEST_SEED;
    private long chunks;
    private long nextPosition;
    private boolean failed;

    /**
     * Start loading into {@code store}, whose current contents are discarded.
     */
    public ImageLoader(final FerriteStore store)
    {
        this.store = store;
        savedHeader.putBytes(0, store.header(), 0, StoreDescriptor.HEADER_LENGTH);
        store.clearImage();
    }

    /**
     * Write one chunk after checking it.
     *
     * @throws StoreCorruptedException if its checksum, position or length is wrong.
     */
    public void chunk(
        final long position, final DirectBuffer src, final int srcOffset, final int length, final int checksum)
    {
        checkNotFailed();
        if (length <= 0 || length > ImageSnapshot.CHUNK_LENGTH || position < nextPosition ||
            position + length > store.imageLength())
        {
            fail("image chunk at " + position + " of " + length + " bytes is out of order or outside the image of " +
                store.imageLength() + " bytes");
        }
        if (chunkChecksum(src, srcOffset, length, position) != checksum)
        {
            fail("image chunk at " + position + " of " + length + " bytes fails its checksum (damaged snapshot)");
        }
        store.writeImage(position, src, srcOffset, length);
        digest = mix(digest, position, length, checksum);
        chunks++;
        nextPosition = position + length;
    }

    /**
     * Accept the image once every chunk has arrived.
     *
     * @throws StoreCorruptedException if the digest or chunk count disagree (a chunk missing or extra), or the image
     *                                 is not a store of this store's layout and geometry.
     */
    public void finish(final long expectedDigest, final long expectedChunks)
    {
        checkNotFailed();
        if (expectedDigest != digest || expectedChunks != chunks)
        {
            fail("image holds " + chunks + " chunks with digest " + Long.toHexString(digest) + " but was written " +
                "with " + expectedChunks + " chunks and digest " + Long.toHexString(expectedDigest) +
                " (a chunk is missing or damaged)");
        }
        try
        {
            store.imageRestored();
        }
        catch (final StoreCorruptedException ex)
        {
            abandon();
            throw ex;
        }
    }

    /**
     * Give up: the store is emptied to its own geometry.
     */
    public void abandon()
    {
        failed = true;
        store.clearImage();
        store.writeImage(0, savedHeader, 0, StoreDescriptor.HEADER_LENGTH);
        store.reset();
        store.imageRestored();
    }

    private void checkNotFailed()
    {
        if (failed)
        {
            throw new IllegalStateException("image load already failed");
        }
    }

    private void fail(final String message)
    {
        abandon();
        throw new StoreCorruptedException(message);
    }

    static int chunkChecksum(final DirectBuffer buffer, final int offset, final int length, final long position)
    {
        return Checksum.of(buffer, offset, length) ^ (int)((position * M1) >>> 32);
    }

    static long mix(final long digest, final long position, final int length, final int checksum)
    {
        long h = digest ^ (position * M1);
        h = Long.rotateLeft(h, 27) * M2;
        h ^= (((long)length << 32) | (checksum & 0xFFFF_FFFFL)) * M1;
        return Long.rotateLeft(h, 31) * M2;
    }

    static boolean isZero(final DirectBuffer buffer, final int offset, final int length)
    {
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (0 != buffer.getLong(offset + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (0 != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }
}
