package io.ferrite.engine;

import org.agrona.DirectBuffer;

/**
 * Layout of a block in a data log segment (layout v2): one entry's key and value with everything about them that
 * never changes, written once and never changed in place (an update writes a new block; the cleaner moves live
 * blocks).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Owner entry index                          |
 *  +---------------------------------------------------------------+
 *  |        Checksum of bytes 8 to the end of the value            |
 *  +-------------------------------+-------------------------------+
 *  |     Key length minus one      |     Flags (bit 0: expiry)     |
 *  +-------------------------------+-------------------------------+
 *  |                    Value length                               |
 *  +---------------------------------------------------------------+
 *  |        Expire at, epoch ms (long, only when flag 0 is set)    |
 *  +---------------------------------------------------------------+
 *  |                    Key bytes ...                             ...
 *  +---------------------------------------------------------------+
 *  |                    Value bytes ...                           ...
 *  +---------------------------------------------------------------+
 *  |                    Padding to 8 bytes                         |
 *  +---------------------------------------------------------------+
 * </pre>
 * Blocks start on 8-byte boundaries, so 31 bits of 8-byte units address up to 16 GiB of data. The expiry lives
 * with the value, so a value and its TTL are published together by one store of the entry's address. The checksum
 * ({@link Checksum}) lets recovery, the verifier and snapshot loading detect a damaged block.
 */
final class BlockDescriptor
{
    static final int ALIGNMENT = 8;
    static final int ALIGNMENT_SHIFT = 3;

    static final int ENTRY_OFFSET = 0;
    static final int CHECKSUM_OFFSET = ENTRY_OFFSET + 4;
    static final int KEY_LENGTH_OFFSET = CHECKSUM_OFFSET + 4;
    static final int FLAGS_OFFSET = KEY_LENGTH_OFFSET + 2;
    static final int VALUE_LENGTH_OFFSET = FLAGS_OFFSET + 2;
    static final int HEADER_LENGTH = VALUE_LENGTH_OFFSET + 4;
    static final int EXPIRE_AT_LENGTH = 8;
    /** The first byte the checksum covers. */
    static final int CHECKED_OFFSET = KEY_LENGTH_OFFSET;

    static final short FLAG_EXPIRES = 1;

    private BlockDescriptor()
    {
    }

    /**
     * Length of a block without an expiry.
     */
    static int blockLength(final int keyLength, final int valueLength)
    {
        return (HEADER_LENGTH + keyLength + valueLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    static int blockLength(final int keyLength, final int valueLength, final boolean expires)
    {
        return (HEADER_LENGTH + (expires ? EXPIRE_AT_LENGTH : 0) + keyLength + valueLength + ALIGNMENT - 1) &
            -ALIGNMENT;
    }

    static int keyLength(final DirectBuffer buffer, final int block)
    {
        return (buffer.getShort(block + KEY_LENGTH_OFFSET) & 0xFFFF) + 1;
    }

    static int valueLength(final DirectBuffer buffer, final int block)
    {
        return buffer.getInt(block + VALUE_LENGTH_OFFSET);
    }

    static boolean expires(final DirectBuffer buffer, final int block)
    {
        return 0 != (buffer.getShort(block + FLAGS_OFFSET) & FLAG_EXPIRES);
    }

    /**
     * Expiry of the block, 0 for never.
     */
    static long expireAt(final DirectBuffer buffer, final int block)
    {
        return expires(buffer, block) ? buffer.getLong(block + HEADER_LENGTH) : 0;
    }

    static int keyOffset(final DirectBuffer buffer, final int block)
    {
        return block + HEADER_LENGTH + (expires(buffer, block) ? EXPIRE_AT_LENGTH : 0);
    }

    static int valueOffset(final DirectBuffer buffer, final int block)
    {
        return keyOffset(buffer, block) + keyLength(buffer, block);
    }

    /**
     * Length of the block at {@code block} from its header.
     */
    static int lengthOf(final DirectBuffer buffer, final int block)
    {
        return blockLength(keyLength(buffer, block), valueLength(buffer, block), expires(buffer, block));
    }

    /**
     * The checksum the block's bytes should carry (header from the lengths on, expiry, key and value).
     */
    static int checksumOf(final DirectBuffer buffer, final int block)
    {
        return Checksum.of(buffer, block + CHECKED_OFFSET, valueOffset(buffer, block) + valueLength(buffer, block) -
            block - CHECKED_OFFSET);
    }
}
