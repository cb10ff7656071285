package io.ferrite.engine;

/**
 * Layout of one record of the entry table: the fixed-size metadata of an entry, addressed by its int index.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Prev entry index (policy list)               |
 *  +---------------------------------------------------------------+
 *  |        Next entry index (policy list, or free list link)      |
 *  +---------------------------------------------------------------+
 *  |                        Key hash                               |
 *  +---------------------------------------------------------------+
 *  |     Block address in 8-byte units, plus one (0: entry free)   |
 *  +---------------------------------------------------------------+
 *  |                 Expire at, epoch ms (0: never)                |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Policy word (list id, frequency, ...)        |
 *  +---------------------------------------------------------------+
 *  |                  Block length in bytes                        |
 *  +---------------------------------------------------------------+
 * </pre>
 * An entry is live exactly when its address field is not zero and the block it names points back at it.
 * {@link #NULL_INDEX} ends lists.
 */
final class EntryDescriptor
{
    static final int NULL_INDEX = -1;

    static final int PREV_OFFSET = 0;
    static final int NEXT_OFFSET = PREV_OFFSET + 4;
    static final int HASH_OFFSET = NEXT_OFFSET + 4;
    static final int ADDRESS_OFFSET = HASH_OFFSET + 4;
    static final int EXPIRE_AT_OFFSET = ADDRESS_OFFSET + 4;
    static final int POLICY_OFFSET = EXPIRE_AT_OFFSET + 8;
    static final int BLOCK_LENGTH_OFFSET = POLICY_OFFSET + 4;
    static final int LENGTH = BLOCK_LENGTH_OFFSET + 4;
    static final int LENGTH_SHIFT = 5;

    private EntryDescriptor()
    {
    }
}
