package io.ferrite.engine;

/**
 * Layout of one record of the entry table (layouts v2 and v3): the fixed-size, mutable metadata of an entry,
 * addressed by its int index. Everything immutable (key, value, lengths, expiry, checksum) is in the entry's block.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Prev entry index (policy list)               |
 *  +---------------------------------------------------------------+
 *  |        Next entry index (policy list, or free list link)      |
 *  +-+-------------------------------------------------------------+
 *  |T|   Block address in 8-byte units, plus one (0: entry free)   |
 *  +-+-------------------------------------------------------------+
 *  |                  Policy word (list id, frequency, ...)        |
 *  +---------------------------------------------------------------+
 * </pre>
 * T is set when the block carries an expiry, so the sweep reads only the blocks of entries that can expire.
 * An entry is live exactly when its address is not zero and the block it names points back at it.
 * {@link #NULL_INDEX} ends lists.
 */
final class EntryDescriptor
{
    static final int NULL_INDEX = -1;

    static final int PREV_OFFSET = 0;
    static final int NEXT_OFFSET = PREV_OFFSET + 4;
    static final int ADDRESS_OFFSET = NEXT_OFFSET + 4;
    static final int POLICY_OFFSET = ADDRESS_OFFSET + 4;
    static final int LENGTH = POLICY_OFFSET + 4;
    static final int LENGTH_SHIFT = 4;

    /** Bit of the address word saying the block holds an expiry. */
    static final int TTL_BIT = 0x8000_0000;
    /** Bits of the address word holding the block address field. */
    static final int ADDRESS_MASK = 0x7FFF_FFFF;

    private EntryDescriptor()
    {
    }
}
