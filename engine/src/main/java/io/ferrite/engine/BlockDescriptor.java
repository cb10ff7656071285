package io.ferrite.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Layout of a block in a data log segment (layout v3): one entry's key and value with everything about them that
 * never changes, written once and never changed in place (an update writes a new block; the cleaner moves live
 * blocks). A block whose key is at most {@link #COMPACT_MAX_KEY_LENGTH} bytes and whose value is at most
 * {@link #COMPACT_MAX_VALUE_LENGTH} bytes has the 12-byte compact header; any other has the 16-byte wide header.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Owner entry index                          |
 *  +---------------------------------------------------------------+
 *  |        Checksum of bytes 8 to the end of the value            |
 *  +-+-+---------------+-------------------------------------------+
 *  |E|0| Key len - 1   |         Value length (22 bits)            |   compact: header ends here (12 bytes)
 *  +-+-+---------------+---------------+---------------------------+
 *  |E|1|   Reserved (zero)             |     Key length minus one  |   wide:
 *  +-+-+-------------------------------+---------------------------+
 *  |                    Value length                               |   wide only (16 bytes)
 *  +---------------------------------------------------------------+
 *  |        Expire at, epoch ms (long, only when E is set)         |
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
    static final int LENGTHS_OFFSET = CHECKSUM_OFFSET + 4;
    static final int COMPACT_HEADER_LENGTH = LENGTHS_OFFSET + 4;
    static final int WIDE_VALUE_LENGTH_OFFSET = COMPACT_HEADER_LENGTH;
    static final int WIDE_HEADER_LENGTH = WIDE_VALUE_LENGTH_OFFSET + 4;
    /** The longest header, for bounds that must hold whatever the form. */
    static final int MAX_HEADER_LENGTH = WIDE_HEADER_LENGTH;
    static final int EXPIRE_AT_LENGTH = 8;
    /** The first byte the checksum covers. */
    static final int CHECKED_OFFSET = LENGTHS_OFFSET;

    static final int EXPIRES_BIT = 0x8000_0000;
    static final int WIDE_BIT = 0x4000_0000;
    static final int COMPACT_KEY_SHIFT = 22;
    static final int COMPACT_MAX_KEY_LENGTH = 256;
    static final int COMPACT_MAX_VALUE_LENGTH = (1 << COMPACT_KEY_SHIFT) - 1;

    private BlockDescriptor()
    {
    }

    static boolean isCompact(final int keyLength, final int valueLength)
    {
        return keyLength <= COMPACT_MAX_KEY_LENGTH && valueLength <= COMPACT_MAX_VALUE_LENGTH;
    }

    /**
     * Length of a block without an expiry.
     */
    static int blockLength(final int keyLength, final int valueLength)
    {
        return blockLength(keyLength, valueLength, false);
    }

    static int blockLength(final int keyLength, final int valueLength, final boolean expires)
    {
        final int header = isCompact(keyLength, valueLength) ? COMPACT_HEADER_LENGTH : WIDE_HEADER_LENGTH;
        return (header + (expires ? EXPIRE_AT_LENGTH : 0) + keyLength + valueLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * Write the owner and the lengths of a new block (not its checksum).
     *
     * @return the offset just past the header, where the expiry (if any) or else the key goes.
     */
    static int putHeader(
        final MutableDirectBuffer buffer,
        final int block,
        final int entry,
        final int keyLength,
        final int valueLength,
        final boolean expires)
    {
        buffer.putInt(block + ENTRY_OFFSET, entry);
        final int expiresBit = expires ? EXPIRES_BIT : 0;
        if (isCompact(keyLength, valueLength))
        {
            buffer.putInt(block + LENGTHS_OFFSET, expiresBit | ((keyLength - 1) << COMPACT_KEY_SHIFT) | valueLength);
            return block + COMPACT_HEADER_LENGTH;
        }
        buffer.putInt(block + LENGTHS_OFFSET, expiresBit | WIDE_BIT | (keyLength - 1));
        buffer.putInt(block + WIDE_VALUE_LENGTH_OFFSET, valueLength);
        return block + WIDE_HEADER_LENGTH;
    }

    private static int lengths(final DirectBuffer buffer, final int block)
    {
        return buffer.getInt(block + LENGTHS_OFFSET);
    }

    static int headerLength(final DirectBuffer buffer, final int block)
    {
        return 0 == (lengths(buffer, block) & WIDE_BIT) ? COMPACT_HEADER_LENGTH : WIDE_HEADER_LENGTH;
    }

    static int keyLength(final DirectBuffer buffer, final int block)
    {
        final int lengths = lengths(buffer, block);
        return 0 == (lengths & WIDE_BIT) ? ((lengths >>> COMPACT_KEY_SHIFT) & 0xFF) + 1 : (lengths & 0xFFFF) + 1;
    }

    static int valueLength(final DirectBuffer buffer, final int block)
    {
        final int lengths = lengths(buffer, block);
        return 0 == (lengths & WIDE_BIT) ? lengths & COMPACT_MAX_VALUE_LENGTH :
            buffer.getInt(block + WIDE_VALUE_LENGTH_OFFSET);
    }

    static boolean expires(final DirectBuffer buffer, final int block)
    {
        return lengths(buffer, block) < 0;
    }

    /**
     * Expiry of the block, 0 for never.
     */
    static long expireAt(final DirectBuffer buffer, final int block)
    {
        return expires(buffer, block) ? buffer.getLong(block + headerLength(buffer, block)) : 0;
    }

    static int keyOffset(final DirectBuffer buffer, final int block)
    {
        return block + headerLength(buffer, block) + (expires(buffer, block) ? EXPIRE_AT_LENGTH : 0);
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
