package io.ferrite.engine;

/**
 * Exact LRU: one list, most recently used at the head; the victim is the tail.
 */
final class LruPolicy extends EvictionPolicy
{
    static final long REGION_LENGTH = EntryLists.LIST_LENGTH;

    LruPolicy(final EntryLists lists, final MappedMemory memory, final long region)
    {
        super(lists, memory, region);
    }

    void reset()
    {
        lists.init(region);
    }

    void onInsert(final int entry)
    {
        lists.linkFirst(region, entry);
    }

    void onAccess(final int entry, final int hash)
    {
        lists.moveToFirst(region, entry);
    }

    void onRemove(final int entry)
    {
        lists.unlink(region, entry);
    }

    int listCount()
    {
        return 1;
    }

    long list(final int i)
    {
        return region;
    }

    int victim()
    {
        return lists.tail(region);
    }
}
