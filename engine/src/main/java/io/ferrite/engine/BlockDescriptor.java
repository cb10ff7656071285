package io.ferrite.engine;

/**
 * Layout of a block in a data log segment: one entry's key and value, written once and never changed in
 * place (an update writes a new block; the cleaner moves live blocks).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Owner entry index                          |
 *  +---------------------------------------------------------------+
 *  |                    Key length                                 |
 *  +---------------------------------------------------------------+
 *  |                    Value length                               |
 *  +---------------------------------------------------------------+
 *  |                    Key bytes ...                             ...
 *  +---------------------------------------------------------------+
 *  |                    Value bytes ...                           ...
 *  +---------------------------------------------------------------+
 *  |                    Padding to 8 bytes                         |
 *  +---------------------------------------------------------------+
 * </pre>
 * Blocks start on 8-byte boundaries, so an int of 8-byte units addresses up to 32 GiB of data.
 */
final class BlockDescriptor
{
    static final int ALIGNMENT = 8;
    static final int ALIGNMENT_SHIFT = 3;

    static final int ENTRY_OFFSET = 0;
    static final int KEY_LENGTH_OFFSET = ENTRY_OFFSET + 4;
    static final int VALUE_LENGTH_OFFSET = KEY_LENGTH_OFFSET + 4;
    static final int HEADER_LENGTH = VALUE_LENGTH_OFFSET + 4;

    private BlockDescriptor()
    {
    }

    static int blockLength(final int keyLength, final int valueLength)
    {
        return (HEADER_LENGTH + keyLength + valueLength + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
