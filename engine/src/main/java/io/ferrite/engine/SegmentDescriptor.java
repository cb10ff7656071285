package io.ferrite.engine;

/**
 * Layout of one record of the segment table, which describes one log segment of the data file.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     Used bytes (appended so far, blocks lie in [0, used))     |
 *  +---------------------------------------------------------------+
 *  |     Live bytes (blocks still owned by an entry)               |
 *  +---------------------------------------------------------------+
 *  |     Next free segment (free list link)                        |
 *  +---------------------------------------------------------------+
 *  |     State: FREE, HEAD or SEALED                               |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class SegmentDescriptor
{
    static final int STATE_FREE = 0;
    static final int STATE_HEAD = 1;
    static final int STATE_SEALED = 2;

    static final int USED_OFFSET = 0;
    static final int LIVE_OFFSET = USED_OFFSET + 4;
    static final int NEXT_FREE_OFFSET = LIVE_OFFSET + 4;
    static final int STATE_OFFSET = NEXT_FREE_OFFSET + 4;
    static final int LENGTH = STATE_OFFSET + 4;

    private SegmentDescriptor()
    {
    }
}
