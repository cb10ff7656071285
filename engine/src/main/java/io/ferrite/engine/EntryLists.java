package io.ferrite.engine;

import org.agrona.concurrent.UnsafeBuffer;

import static io.ferrite.engine.EntryDescriptor.NULL_INDEX;

/**
 * Doubly linked lists of entries, linked by int index through the entry table's prev and next fields.
 * <p>
 * A list is a 16-byte header somewhere in the meta file:
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |  Head index   |  Tail index   |  Count        |  Reserved     |
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 * The head is the most recently linked end, the tail the oldest. An entry is on at most one list.
 * <b>Note:</b> not thread-safe; used by the store's single writer.
 */
final class EntryLists
{
    static final int HEAD_OFFSET = 0;
    static final int TAIL_OFFSET = 4;
    static final int COUNT_OFFSET = 8;
    static final int LIST_LENGTH = 16;

    private final MappedMemory memory;
    private final long entriesBase;
    private final MappedMemory data;
    private final int hashSeed;

    EntryLists(final MappedMemory memory, final long entriesBase, final MappedMemory data, final int hashSeed)
    {
        this.memory = memory;
        this.entriesBase = entriesBase;
        this.data = data;
        this.hashSeed = hashSeed;
    }

    long entryAddress(final int entry)
    {
        return entriesBase + ((long)entry << EntryDescriptor.LENGTH_SHIFT);
    }

    int prev(final int entry)
    {
        return memory.getInt(entryAddress(entry) + EntryDescriptor.PREV_OFFSET);
    }

    int next(final int entry)
    {
        return memory.getInt(entryAddress(entry) + EntryDescriptor.NEXT_OFFSET);
    }

    int policyWord(final int entry)
    {
        return memory.getInt(entryAddress(entry) + EntryDescriptor.POLICY_OFFSET);
    }

    void policyWord(final int entry, final int value)
    {
        memory.putInt(entryAddress(entry) + EntryDescriptor.POLICY_OFFSET, value);
    }

    /**
     * The key hash of a live entry, computed from the key in its block (the layout keeps no hash in the record; the
     * policies ask for it when an entry is inserted or touched, when its block is usually in cache already).
     */
    int hash(final int entry)
    {
        final long block = EntryTable.blockAddressOf(
            memory.getInt(entryAddress(entry) + EntryDescriptor.ADDRESS_OFFSET) & EntryDescriptor.ADDRESS_MASK);
        final UnsafeBuffer buffer = data.buffer(block);
        final int offset = MappedMemory.offset(block);
        return Hashing.hash(
            buffer, BlockDescriptor.keyOffset(buffer, offset), BlockDescriptor.keyLength(buffer, offset), hashSeed);
    }

    private void prev(final int entry, final int value)
    {
        memory.putInt(entryAddress(entry) + EntryDescriptor.PREV_OFFSET, value);
    }

    private void next(final int entry, final int value)
    {
        memory.putInt(entryAddress(entry) + EntryDescriptor.NEXT_OFFSET, value);
    }

    void init(final long list)
    {
        memory.putInt(list + HEAD_OFFSET, NULL_INDEX);
        memory.putInt(list + TAIL_OFFSET, NULL_INDEX);
        memory.putInt(list + COUNT_OFFSET, 0);
        memory.putInt(list + 12, 0);
    }

    int head(final long list)
    {
        return memory.getInt(list + HEAD_OFFSET);
    }

    int tail(final long list)
    {
        return memory.getInt(list + TAIL_OFFSET);
    }

    int count(final long list)
    {
        return memory.getInt(list + COUNT_OFFSET);
    }

    void linkFirst(final long list, final int entry)
    {
        final int head = head(list);
        prev(entry, NULL_INDEX);
        next(entry, head);
        if (NULL_INDEX == head)
        {
            memory.putInt(list + TAIL_OFFSET, entry);
        }
        else
        {
            prev(head, entry);
        }
        memory.putInt(list + HEAD_OFFSET, entry);
        memory.putInt(list + COUNT_OFFSET, count(list) + 1);
    }

    void linkLast(final long list, final int entry)
    {
        final int tail = tail(list);
        next(entry, NULL_INDEX);
        prev(entry, tail);
        if (NULL_INDEX == tail)
        {
            memory.putInt(list + HEAD_OFFSET, entry);
        }
        else
        {
            next(tail, entry);
        }
        memory.putInt(list + TAIL_OFFSET, entry);
        memory.putInt(list + COUNT_OFFSET, count(list) + 1);
    }

    void unlink(final long list, final int entry)
    {
        final int prev = prev(entry);
        final int next = next(entry);
        if (NULL_INDEX == prev)
        {
            memory.putInt(list + HEAD_OFFSET, next);
        }
        else
        {
            next(prev, next);
        }
        if (NULL_INDEX == next)
        {
            memory.putInt(list + TAIL_OFFSET, prev);
        }
        else
        {
            prev(next, prev);
        }
        prev(entry, NULL_INDEX);
        next(entry, NULL_INDEX);
        memory.putInt(list + COUNT_OFFSET, count(list) - 1);
    }

    /**
     * Move an entry already on {@code list} to its head; a no-op when it is the head already.
     */
    void moveToFirst(final long list, final int entry)
    {
        if (head(list) != entry)
        {
            unlink(list, entry);
            linkFirst(list, entry);
        }
    }

    /**
     * Make {@code target} the concatenation {@code first ++ second}, emptying both sources. {@code target}
     * may be the same list as either source.
     */
    void concat(final long target, final long first, final long second)
    {
        final int firstHead = head(first);
        final int firstTail = tail(first);
        final int secondHead = head(second);
        final int secondTail = tail(second);
        final int total = count(first) + count(second);
        final int head;
        final int tail;
        if (NULL_INDEX == firstHead)
        {
            head = secondHead;
            tail = secondTail;
        }
        else if (NULL_INDEX == secondHead)
        {
            head = firstHead;
            tail = firstTail;
        }
        else
        {
            next(firstTail, secondHead);
            prev(secondHead, firstTail);
            head = firstHead;
            tail = secondTail;
        }
        init(first);
        init(second);
        memory.putInt(target + HEAD_OFFSET, head);
        memory.putInt(target + TAIL_OFFSET, tail);
        memory.putInt(target + COUNT_OFFSET, total);
    }
}
