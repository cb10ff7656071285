package io.ferrite.engine;

/**
 * Open-addressed hash index from key hash to the entry's block, with linear probing and backward-shift deletion
 * (no tombstones).
 * <p>
 * A slot is one long: the key's 32-bit hash in the high half (the tag that rules out almost every other key without
 * touching its block) and the block's address field (8-byte units plus one, never zero) in the low half, so an
 * all-zero slot (as a new file is) means empty and a lookup reaches the block, which names its entry, with one
 * dependent load. The home slot of a hash is {@code hash * slots >>> 32}
 * (a multiply-shift range reduction), which lets the table be any size instead of a power of two.
 * <b>Note:</b> not thread-safe; used by the store's single writer.
 */
final class HashIndex
{
    static final int SLOT_LENGTH = 8;
    static final long EMPTY = 0;

    private final MappedMemory memory;
    private final long base;
    private final long slots;

    HashIndex(final MappedMemory memory, final long base, final long slots)
    {
        this.memory = memory;
        this.base = base;
        this.slots = slots;
    }

    long slots()
    {
        return slots;
    }

    long home(final int hash)
    {
        return ((hash & 0xFFFF_FFFFL) * slots) >>> 32;
    }

    long next(final long slot)
    {
        final long next = slot + 1;
        return next == slots ? 0 : next;
    }

    long get(final long slot)
    {
        return memory.getLong(base + (slot << 3));
    }

    static int hashOf(final long slotValue)
    {
        return (int)(slotValue >>> 32);
    }

    static int addressFieldOf(final long slotValue)
    {
        return (int)slotValue;
    }

    /**
     * The slot value naming the block with {@code addressField} for a key of {@code hash}.
     */
    static long slotValue(final int hash, final int addressField)
    {
        return ((long)hash << 32) | (addressField & 0xFFFF_FFFFL);
    }

    void set(final long slot, final int hash, final int addressField)
    {
        memory.putLong(base + (slot << 3), slotValue(hash, addressField));
    }

    /**
     * The first empty slot on the probe path of {@code hash}; the table always has one since it is larger
     * than the entry table.
     */
    long freeSlot(final int hash)
    {
        long slot = home(hash);
        while (EMPTY != get(slot))
        {
            slot = next(slot);
        }
        return slot;
    }

    /**
     * The slot pointing at the block with {@code addressField}, found along the probe path of its {@code hash}, or -1.
     */
    long slotOf(final int hash, final int addressField)
    {
        final long wanted = slotValue(hash, addressField);
        long slot = home(hash);
        long value;
        while (EMPTY != (value = get(slot)))
        {
            if (value == wanted)
            {
                return slot;
            }
            slot = next(slot);
        }
        return -1;
    }

    /**
     * Empty {@code slot} and shift later members of its cluster back so every probe path stays unbroken.
     */
    void remove(final long slot)
    {
        long hole = slot;
        long scan = slot;
        while (true)
        {
            scan = next(scan);
            final long value = get(scan);
            if (EMPTY == value)
            {
                break;
            }
            final long home = home(hashOf(value));
            final boolean stays = hole <= scan ? (hole < home && home <= scan) : (hole < home || home <= scan);
            if (!stays)
            {
                memory.putLong(base + (hole << 3), value);
                hole = scan;
            }
        }
        memory.putLong(base + (hole << 3), EMPTY);
    }

    void clear()
    {
        memory.zero(base, slots << 3);
    }
}
